package io.deepstorage.gold;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Decimal to double the way {@link BigDecimal#doubleValue} rounds it, without its detour through text. */
final class Decimals {
    /** 10^0 … 10^22: every one exact as a double. */
    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        double power = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

    private Decimals() {}

    /**
     * The double nearest {@code value}, as {@link BigDecimal#doubleValue}. Java 17's takes the fast path only below
     * 2^52 and otherwise prints the decimal and parses it back: a 16-digit quotient (DECIMAL64) mostly took that
     * path, 4 % of gold's time. An unscaled value of at most 53 bits and a power of ten up to 10^22 are exact
     * doubles, and one IEEE division or product of exact operands is correctly rounded, so this is the same double;
     * anything else goes to {@link BigDecimal#doubleValue}.
     */
    static double toDouble(BigDecimal value) {
        int scale = value.scale();
        if (scale >= -22 && scale <= 22) {
            BigInteger unscaled = value.unscaledValue();
            if (unscaled.bitLength() <= 53) {
                double exact = unscaled.longValue();
                return scale >= 0 ? exact / POWERS_OF_TEN[scale] : exact * POWERS_OF_TEN[-scale];
            }
        }
        return value.doubleValue();
    }
}
