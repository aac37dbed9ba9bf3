package io.deepstorage.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Wall-clock microseconds (the same clock PostgreSQL stamps commits with and the filesystem stamps files with). */
final class Clock {
    private Clock() {}

    static long nowMicros() {
        Instant now = Instant.now();
        return ChronoUnit.MICROS.between(Instant.EPOCH, now);
    }
}
