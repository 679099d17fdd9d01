package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.uuid.Generators;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Records with awkward content — escapes, control characters, non-BMP text, every fraction length of a
 * timestamp, floating-point changes — hash the same when the verifier reads them back as text.
 */
class AuditVerifierTest extends HubTest {

    @Autowired
    AuditWriter writer;
    @Autowired
    AuditVerifier verifier;

    @ParameterizedTest
    @ValueSource(strings = {"2026-01-01T00:00:00Z", "2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00.123Z",
            "2026-01-01T00:00:00.120400Z", "2026-01-01T00:00:00.000001Z", "1999-12-31T23:59:59.999999Z"})
    void awkwardRecordsVerify(String time) throws Exception {
        AuditEvent e = AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                .eventTime(Instant.parse(time)).correlationId("c\t\"q\"\\ \u0001 " + time).channel("system")
                .action("test.awkward").outcome("success").actorType("system").actorId("tab\there")
                .subjectName("Zoë \uD83D\uDE00 \\N \n line").subjectType("User").subjectId("x").httpStatus(200)
                .error("back\\slash\r\n").attempt(2).durationMs(0)
                .changes(mapper.readTree("[{\"path\":\"a\",\"old\":1.5e-7,\"new\":{\"z\":[true,null,-0.0],\"\\u00e9\":1e21}}]"))
                .build();
        AuditEvent stored = writer.append(e);

        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(stored.seq(), stored.seq(), java.util.List.of(), null));

        assertThat(r.checked()).isEqualTo(1);
        assertThat(r.findings()).isEmpty();
    }
}
