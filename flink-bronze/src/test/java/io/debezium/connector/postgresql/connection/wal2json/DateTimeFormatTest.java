package io.debezium.connector.postgresql.connection.wal2json;

import static java.lang.invoke.MethodType.methodType;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.debezium.connector.postgresql.PostgresConnector;
import io.debezium.connector.postgresql.connection.wal2json.DateTimeFormat.ISODateTimeFormat;

/**
 * Deep Storage's timestamptz fast path against Debezium 1.9.8's own DateTimeFormat, loaded from the Debezium jar
 * beside ours: the fast path must read every text it accepts as Debezium's formatters read it, and leave every other
 * text to them.
 */
class DateTimeFormatTest {

    private static final Object UPSTREAM_FORMAT = upstreamFormat();
    private static final MethodHandle UPSTREAM = timestampWithTimeZoneToOffsetDateTime(UPSTREAM_FORMAT);

    @Test
    void theFastPathReadsMillionsOfRandomTimestampsAsDebeziumsFormatterDoes() throws Throwable {
        SplittableRandom random = new SplittableRandom(20261120);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < 3_000_000 && mismatches.size() < 10; i++) {
            String text = timestamptz(random);
            OffsetDateTime fast = ISODateTimeFormat.parseUsual(text);
            OffsetDateTime expected = upstream(text);
            if (fast == null || !fast.equals(expected)) {
                mismatches.add(text + " -> " + fast + ", Debezium " + expected);
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void aTextTheFastPathStillAcceptsAfterOneCharacterIsChangedIsReadAsDebeziumReadsIt() throws Throwable {
        // Whatever the fast path declines goes to Debezium's code unchanged; what it accepts must match.
        SplittableRandom random = new SplittableRandom(7);
        String alphabet = "0123456789+-:. TZB";
        List<String> mismatches = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < 1_000_000 && mismatches.size() < 10; i++) {
            StringBuilder text = new StringBuilder(timestamptz(random));
            int at = random.nextInt(text.length() + 1);
            char c = alphabet.charAt(random.nextInt(alphabet.length()));
            switch (random.nextInt(3)) {
                case 0 -> text.insert(at, c);
                case 1 -> text.deleteCharAt(Math.min(at, text.length() - 1));
                default -> text.setCharAt(Math.min(at, text.length() - 1), c);
            }
            OffsetDateTime fast = ISODateTimeFormat.parseUsual(text.toString());
            if (fast != null) {
                accepted++;
                String expected = outcome(UPSTREAM, text.toString());
                if (!expected.equals("value " + fast)) {
                    mismatches.add(text + " -> " + fast + ", Debezium " + expected);
                }
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(accepted).isGreaterThan(100_000);
    }

    @Test
    void textsOutsideTheUsualShapeAreLeftToDebeziumsFormatter() {
        for (String text : EDGE_TEXTS) {
            assertThat(ISODateTimeFormat.parseUsual(text)).as(text).isNull();
        }
    }

    @Test
    void theMethodAnswersEveryUnusualTextAsDebeziumsDoesWithTheSameValueOrException() throws Throwable {
        MethodHandle ours = timestampWithTimeZoneToOffsetDateTime(DateTimeFormat.get());
        List<String> outcomes = new ArrayList<>();
        for (String text : EDGE_TEXTS) {
            outcomes.add(outcome(ours, text));
            assertThat(outcomes.get(outcomes.size() - 1)).as(text).isEqualTo(outcome(UPSTREAM, text));
        }
        // Both kinds are among them: texts the formatter accepts (BC, 5-digit year, no seconds, 31 April) and rejects.
        assertThat(outcomes).anyMatch(o -> o.startsWith("value ")).anyMatch(o -> o.startsWith("threw "));
    }

    @Test
    void theReferenceIsDebeziumsOwnClassFromItsJar() {
        Class<?> reference = UPSTREAM_FORMAT.getClass();
        assertThat(reference.getName()).isEqualTo(ISODateTimeFormat.class.getName());
        assertThat(reference).isNotSameAs(ISODateTimeFormat.class);
        assertThat(Arrays.stream(reference.getDeclaredMethods()).map(m -> m.getName())).doesNotContain("parseUsual");
    }

    private static final List<String> EDGE_TEXTS = Arrays.asList(
            null, "", "garbage", "infinity", "-infinity",
            "2026-11-20 08:00:00+00 BC", "0044-03-15 12:00:00.5+00:53:28 BC", "2026-11-20 08:00:00+00 AD",
            "12026-11-20 08:00:00+00", "0000-11-20 08:00:00+00",
            "2026-11-20 08:00+00", "2026-11-20 08:00:00", "2026-11-20 08:00:00Z", "2026-11-20T08:00:00+00",
            "2026-11-20 08:00:00.+00", "2026-11-20 08:00:00.1234567890+00", "2026-11-20 08:00:00,1+00",
            "2026-11-20 08:00:00+5", "2026-11-20 08:00:00+0530", "2026-11-20 08:00:00+05:3", "2026-11-20 08:00:00+05:30:1",
            "2026-11-20 08:00:00+05:30:15:00", "2026-11-20 08:00:00+05:30 ", " 2026-11-20 08:00:00+00",
            "2026-11-20 08:00:00+19", "2026-11-20 08:00:00-18:00:01", "2026-11-20 08:00:00+24", "2026-11-20 08:00:00+05:60",
            "2026-11-20 08:00:00+05:30:60",
            "2026-02-29 08:00:00+00", "2026-04-31 08:00:00+00", "2026-11-00 08:00:00+00", "2026-13-20 08:00:00+00",
            "2026-11-20 24:00:00+00", "2026-11-20 08:60:00+00", "2026-11-20 08:00:60+00",
            "2026-11-20 08:00:00+\u0660\u0665", "\uff12026-11-20 08:00:00+00");

    /** A timestamptz as PostgreSQL prints it (fraction's trailing zeros trimmed, offset fields only when not zero), and now and then not quite. */
    private static String timestamptz(SplittableRandom random) {
        LocalDate date = LocalDate.ofEpochDay(random.nextLong(LocalDate.of(1, 1, 1).toEpochDay(), LocalDate.of(9999, 12, 31).toEpochDay() + 1));
        StringBuilder s = new StringBuilder(40);
        digits(s, date.getYear(), 4).append('-');
        digits(s, date.getMonthValue(), 2).append('-');
        digits(s, date.getDayOfMonth(), 2).append(' ');
        digits(s, random.nextInt(24), 2).append(':');
        digits(s, random.nextInt(60), 2).append(':');
        digits(s, random.nextInt(60), 2);
        boolean padded = random.nextInt(8) == 0;
        if (padded) {
            // Any 1 to 9 digits, trailing zeros kept: the formatter reads them too.
            digits(s.append('.'), random.nextInt(1_000_000_000), 9).setLength(s.length() - random.nextInt(9));
        }
        else {
            int digits = random.nextInt(7);
            if (digits > 0) {
                // Exactly `digits` digits, the last not zero.
                int scale = (int) Math.pow(10, digits - 1);
                digits(s.append('.'), random.nextInt(scale) * 10 + 1 + random.nextInt(9), digits);
            }
        }
        int hours = random.nextInt(19);
        int minutes = hours == 18 || random.nextBoolean() ? 0 : random.nextInt(60);
        int seconds = hours == 18 || random.nextInt(4) != 0 ? 0 : random.nextInt(60);
        digits(s.append(random.nextBoolean() ? '+' : '-'), hours, 2);
        if (minutes != 0 || seconds != 0 || padded) {
            digits(s.append(':'), minutes, 2);
        }
        if (seconds != 0 || (padded && random.nextBoolean())) {
            digits(s.append(':'), seconds, 2);
        }
        return s.toString();
    }

    /** {@code value} in {@code width} digits, zero-padded. */
    private static StringBuilder digits(StringBuilder s, int value, int width) {
        String text = Integer.toString(value);
        return s.append("000000000", 0, width - text.length()).append(text);
    }

    private static OffsetDateTime upstream(String text) throws Throwable {
        return (OffsetDateTime) UPSTREAM.invoke(text);
    }

    /** The value, or the exception's type and message (and its cause's), that {@code parse} answers {@code text} with. */
    private static String outcome(MethodHandle parse, String text) {
        try {
            return "value " + parse.invoke(text);
        }
        catch (Throwable e) {
            return "threw " + e.getClass().getName() + ": " + e.getMessage()
                    + (e.getCause() == null ? "" : " caused by " + e.getCause().getClass().getName() + ": " + e.getCause().getMessage());
        }
    }

    private static MethodHandle timestampWithTimeZoneToOffsetDateTime(Object format) {
        try {
            return MethodHandles.publicLookup()
                    .findVirtual(format.getClass(), "timestampWithTimeZoneToOffsetDateTime", methodType(OffsetDateTime.class, String.class))
                    .bindTo(format);
        }
        catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Debezium 1.9.8's ISODateTimeFormat, from its jar (ours comes first on the classpath). */
    private static Object upstreamFormat() {
        try {
            URL jar = PostgresConnector.class.getProtectionDomain().getCodeSource().getLocation();
            ClassLoader loader = new URLClassLoader(new URL[]{ jar }, DateTimeFormatTest.class.getClassLoader()) {
                @Override
                protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                    if (!name.startsWith(DateTimeFormat.class.getName())) {
                        return super.loadClass(name, resolve);
                    }
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> loaded = findLoadedClass(name);
                        return loaded != null ? loaded : findClass(name);
                    }
                }
            };
            return loader.loadClass(ISODateTimeFormat.class.getName()).getConstructor().newInstance();
        }
        catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
