package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The verifier spells timestamps from binary COPY exactly as the hub's records do (Instant.toString). */
class RawRecordTest {

    @Test
    void timestampsAreSpelledAsInstantToStringSpellsThem() {
        long[] edges = {0, 1, 999, 1000, 1_000_000, -1, -1_000_000, 946_684_800_000_000L, 946_684_799_999_999L,
                253_402_300_799_999_999L, -30_610_224_000_000_000L, -30_610_224_000_000_001L, 253_402_300_800_000_000L};
        for (long micros : edges) {
            assertThat(RawRecord.instantOfMicros(micros)).isEqualTo(instant(micros));
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long micros = random.nextLong(-100L * 365 * 86_400_000_000L, 200L * 365 * 86_400_000_000L);
            if (i % 3 == 0) {
                micros -= Math.floorMod(micros, 1000); // whole milliseconds
            } else if (i % 3 == 1) {
                micros -= Math.floorMod(micros, 1_000_000); // whole seconds
            }
            assertThat(RawRecord.instantOfMicros(micros)).isEqualTo(instant(micros));
        }
    }

    private static String instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS).toString();
    }
}
