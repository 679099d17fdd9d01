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

    /**
     * A group-commit batch's records go in with one audit_append_columns call; each must link to the one
     * before it exactly as one audit_append per record would, so the verifier finds nothing.
     */
    @org.junit.jupiter.api.Test
    void aBatchAppendLinksEachRecordToTheOneBefore() throws Exception {
        AuditRecordCodec codec = new AuditRecordCodec(mapper);
        int n = 3;
        java.util.List<AuditEvent> events = new java.util.ArrayList<>();
        byte[][] hashes = new byte[n][];
        for (int i = 0; i < n; i++) {
            AuditEvent e = AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                    .eventTime(Instant.parse("2026-03-01T10:00:00Z")).recordedTime(Instant.parse("2026-03-01T10:00:01Z"))
                    .correlationId("batch-" + i).channel("system").action("test.batch").outcome("success")
                    .actorType("system").build();
            events.add(e);
            hashes[i] = codec.contentHash(e);
        }
        java.util.List<java.util.Map<String, Object>> out = jdbc.execute(
                (org.springframework.jdbc.core.ConnectionCallback<java.util.List<java.util.Map<String, Object>>>) con -> {
                    con.setAutoCommit(false);
                    try (var ps = con.prepareStatement(AuditColumns.CALL)) {
                        AuditColumns.bind(con, ps, events, hashes, mapper);
                        java.util.List<java.util.Map<String, Object>> list = new java.util.ArrayList<>();
                        try (var rs = ps.executeQuery()) {
                            while (rs.next()) {
                                list.add(java.util.Map.of("seq", rs.getLong(1), "hash", rs.getBytes(2)));
                            }
                        }
                        con.commit();
                        return list;
                    } finally {
                        con.setAutoCommit(true);
                    }
                });

        assertThat(out).hasSize(n);
        long first = (Long) out.get(0).get("seq");
        for (int i = 0; i < n; i++) {
            assertThat(out.get(i).get("seq")).isEqualTo(first + i);
            byte[] prev = jdbc.queryForObject("select prev_hash from audit_event where seq = ?", byte[].class, first + i);
            assertThat((byte[]) out.get(i).get("hash")).isEqualTo(AuditRecordCodec.chainHash(prev, first + i, hashes[i]));
            if (i > 0) {
                assertThat(prev).isEqualTo((byte[]) out.get(i - 1).get("hash"));
            }
        }
        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(first - 1 > 0 ? first - 1 : first,
                first + n - 1, java.util.List.of(), null));
        assertThat(r.findings()).isEmpty();
        assertThat(r.checked()).isGreaterThanOrEqualTo(n);
    }

    @org.junit.jupiter.api.Test
    void aBatchWithoutAHashPerRecordIsRefused() {
        AuditEvent e = AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                .eventTime(Instant.now()).recordedTime(Instant.now()).correlationId("short").channel("system")
                .action("test.batch").outcome("success").build();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> jdbc.execute(
                (org.springframework.jdbc.core.ConnectionCallback<Object>) con -> {
                    try (var ps = con.prepareStatement(AuditColumns.CALL)) {
                        AuditColumns.bind(con, ps, java.util.List.of(e, e), new byte[][] {new byte[32]}, mapper);
                        return ps.executeQuery().next();
                    }
                }))).hasMessageContaining("every column needs 1 values, one per content hash");
    }

    @org.junit.jupiter.api.Test
    void aBatchWithAShortColumnIsRefused() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> jdbc.execute(
                (org.springframework.jdbc.core.ConnectionCallback<Object>) con -> {
                    StringBuilder call = new StringBuilder("select * from audit_append_columns(");
                    for (int k = 0; k < 28; k++) {
                        call.append(k == 7 ? "array['system']::text[], " : "array_fill(null::text, array[2])::"
                                + new String[] {"uuid", "smallint", "timestamptz", "timestamptz", "text", "uuid", "text",
                                "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text",
                                "text", "text", "text", "text", "integer", "text", "text", "integer", "integer",
                                "jsonb"}[k] + "[], ");
                    }
                    call.append("array[sha256('a'), sha256('b')])");
                    try (var ps = con.prepareStatement(call.toString())) {
                        return ps.executeQuery().next();
                    }
                }))).hasMessageContaining("every column needs 2 values, one per content hash");
    }

    /**
     * Text columns travel to audit_append_columns inside array literals, where an unquoted NULL is SQL
     * null: values spelled like it, or holding the literal's quotes, commas, braces and backslashes, must
     * arrive as they were (or the record would lose them and fail verification).
     */
    @ParameterizedTest
    @ValueSource(strings = {"NULL", "null", "", " ", "a,b", "{x}", "\"q\"", "back\\slash", "tab\tand\nnewline", "Zoë 😀"})
    void textValuesSurviveTheArrayLiteral(String value) {
        AuditEvent stored = writer.append(AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                .eventTime(Instant.now()).correlationId("text-" + value).channel("system").action("test.text")
                .outcome("success").actorType("client").actorUserAgent(value).subjectName(value).build());

        java.util.Map<String, Object> row = jdbc.queryForMap(
                "select actor_user_agent, subject_name, correlation_id from audit_event where seq = ?", stored.seq());

        assertThat(row.get("actor_user_agent")).isEqualTo(value);
        assertThat(row.get("subject_name")).isEqualTo(value);
        assertThat(row.get("correlation_id")).isEqualTo("text-" + value);
        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(stored.seq(), stored.seq(), java.util.List.of(), null));
        assertThat(r.findings()).isEmpty();
    }

    /**
     * The verifier canonicalises the jsonb text of changes itself where it can (PostgreSQL orders members
     * by length and spaces them): member order, nesting, escapes, non-ASCII text and names, and numbers it
     * leaves to a JSON tree must all hash as the writer hashed them.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "[{\"path\":\"name.givenName\",\"old\":\"A\",\"new\":\"B\"},{\"path\":\"active\",\"new\":false}]",
            "{\"zeta\":1,\"alpha\":{\"b\":[1,2,{\"y\":null,\"x\":\"\\\"q\\\" \\\\ \\n\\t\\u0001 /\"}],\"a\":-12345678901234}}",
            "[{\"new\":\"Zoë 😀 €\",\"path\":\"displayName\",\"é\":1,\"e\":2,\"\\u00e8\":3}]",
            "[{\"new\":123456789012345678,\"old\":1.25,\"path\":\"x\",\"n\":999999999999999,\"m\":-1000000000000000}]",
            "[{\"new\":0.1,\"old\":-0.0,\"path\":\"n\",\"aa\":100.0,\"a\":1e-7,\"b\":2E+3}]",
            "[{\"k\\nx\":1,\"k\\\"\":2,\"k\":3,\"K\":4,\"k2\":5}]",
            "[[],{},[[[]]],\"\",true,null,{\"\":0}]"})
    void changesOfAnyShapeVerify(String changes) throws Exception {
        AuditEvent stored = writer.append(AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                .eventTime(Instant.now()).correlationId("changes").channel("system").action("test.changes")
                .outcome("success").changes(mapper.readTree(changes)).build());

        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(stored.seq(), stored.seq(), java.util.List.of(), null));

        assertThat(r.checked()).isEqualTo(1);
        assertThat(r.findings()).isEmpty();
    }
}
