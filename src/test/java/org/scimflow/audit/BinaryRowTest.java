package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The verifier and the exports spell timestamps exactly as the hub's records do (Instant.toString): one at
 * a time ({@link BinaryRow#instantOfMicros}, exports) and row after row with the date and time of the
 * previous second reused ({@link BinaryRow#instant}, verification).
 */
class BinaryRowTest {

    @Test
    void timestampsAreSpelledAsInstantToStringSpellsThem() {
        long[] edges = {0, 1, 999, 1000, 1_000_000, -1, -1_000_000, 946_684_800_000_000L, 946_684_799_999_999L,
                253_402_300_799_999_999L, -30_610_224_000_000_000L, -30_610_224_000_000_001L, 253_402_300_800_000_000L};
        BinaryRow row = new BinaryRow();
        for (long micros : edges) {
            assertThat(BinaryRow.instantOfMicros(micros)).isEqualTo(instant(micros));
            assertThat(inRow(row, micros)).isEqualTo(instant(micros));
        }
        SplittableRandom random = new SplittableRandom(7);
        long micros = 0;
        for (int i = 0; i < 100_000; i++) {
            if (i % 4 == 3) {
                micros += random.nextLong(0, 400_000); // often the same second as the one before, as in a log
            } else {
                micros = random.nextLong(-100L * 365 * 86_400_000_000L, 200L * 365 * 86_400_000_000L);
            }
            if (i % 3 == 0) {
                micros -= Math.floorMod(micros, 1000); // whole milliseconds
            } else if (i % 3 == 1) {
                micros -= Math.floorMod(micros, 1_000_000); // whole seconds
            }
            assertThat(BinaryRow.instantOfMicros(micros)).isEqualTo(instant(micros));
            assertThat(inRow(row, micros)).isEqualTo(instant(micros));
        }
    }

    private static String inRow(BinaryRow row, long micros) {
        CanonicalJson.Out o = new CanonicalJson.Out(32);
        row.instant(micros, o);
        return new String(o.buf, 0, o.len, StandardCharsets.US_ASCII);
    }

    private static String instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS).toString();
    }
}
