package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Files made to exhaust the offline verifier are reported, not allowed to run it out of memory. */
class ExportVerifierLimitsTest {

    private static ExportVerifier verifier() throws IOException {
        Path keys = Files.createTempDirectory(Path.of(System.getProperty("scimflow.test.tmp", "target")), "no-keys-");
        return new ExportVerifier(SigningKeys.publicOnly(keys));
    }

    @Test
    void aFileOfNothingButBadLinesListsAtMostTheCapAndCountsTheRest() throws Exception {
        int lines = ExportVerifier.MAX_FINDINGS * 2;
        byte[] file = "{}\n".repeat(lines).getBytes(StandardCharsets.UTF_8);

        ExportVerifier.Result r = verifier().verify(new ByteArrayInputStream(file));

        assertThat(r.intact()).isFalse();
        assertThat(r.findings()).hasSize(ExportVerifier.MAX_FINDINGS + 1);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.detail()).matches("\\d+ more finding\\(s\\) after these, not listed"));
    }

    @Test
    void aLineLongerThanAnyRecordStopsTheCheck() throws Exception {
        long length = ExportVerifier.MAX_LINE + (8L << 20);
        InputStream endless = new InputStream() {
            long left = length;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        assertThatThrownBy(() -> verifier().verify(endless)).isInstanceOf(IOException.class)
                .hasMessageContaining("longer than 64 MiB");
    }
}
