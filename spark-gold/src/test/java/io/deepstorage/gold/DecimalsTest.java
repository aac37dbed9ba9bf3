package io.deepstorage.gold;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Random;

import org.junit.jupiter.api.Test;

class DecimalsTest {
    @Test
    void aDecimalBecomesTheSameDoubleAsBigDecimalDoubleValueGives() {
        Random random = new Random(11);
        for (int i = 0; i < 2_000_000; i++) {
            // Unscaled values of every length up to 64 bits (around 2^52 and 2^53 the most) and scales both ways.
            int bits = i % 4 == 0 ? 51 + random.nextInt(4) : 1 + random.nextInt(63);
            long unscaled = random.nextLong() >>> (64 - bits);
            BigDecimal value = new BigDecimal(BigInteger.valueOf(random.nextBoolean() ? unscaled : -unscaled),
                    random.nextInt(60) - 30);
            assertSameDouble(value);
        }
    }

    @Test
    void theQuotientsGoldTakesBecomeTheSameDoubles() {
        Random random = new Random(12);
        for (int i = 0; i < 500_000; i++) {
            BigDecimal entry = BigDecimal.valueOf(1 + random.nextInt(100_000_000), 1 + random.nextInt(8));
            BigDecimal stop = BigDecimal.valueOf(random.nextInt(100_000_000), random.nextInt(9));
            assertSameDouble(entry.subtract(stop).abs().divide(entry, MathContext.DECIMAL64));
        }
        for (String text : new String[] {"0", "0.00000000", "-0.0", "9007199254740993", "9007199254740992", "0.1",
                "4503599627370497E-15", "1E+22", "1E+23", "1E-22", "1E-23", "123456789012345678901234567890.5"}) {
            assertSameDouble(new BigDecimal(text));
        }
    }

    private static void assertSameDouble(BigDecimal value) {
        assertThat(Double.doubleToRawLongBits(Decimals.toDouble(value))).as(value.toString())
                .isEqualTo(Double.doubleToRawLongBits(value.doubleValue()));
    }
}
