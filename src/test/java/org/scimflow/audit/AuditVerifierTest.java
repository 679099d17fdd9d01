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
    @Autowired
    org.springframework.transaction.PlatformTransactionManager tm;

    /** Appends through the hub's own path (the inbox, then sequencing) and returns the record's seq. */
    private long appended(AuditEvent e) {
        writer.append(e);
        auditLinked();
        return seqOf(e);
    }

    private long seqOf(AuditEvent e) {
        return jdbc.queryForObject("select seq from audit_event where event_id = ?", Long.class, e.eventId());
    }

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
        long seq = appended(e);

        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(seq, seq, java.util.List.of(), null));

        assertThat(r.checked()).isEqualTo(1);
        assertThat(r.findings()).isEmpty();
    }

    /**
     * Records committed together wait in the inbox together and are linked by one sequencing call, in the
     * order they were appended; each must link to the one before it, so the verifier finds nothing.
     */
    @org.junit.jupiter.api.Test
    void aSequencingBatchLinksEachRecordToTheOneBefore() throws Exception {
        AuditRecordCodec codec = new AuditRecordCodec(mapper);
        int n = 3;
        auditLinked();
        java.util.List<AuditEvent> stamped = new org.springframework.transaction.support.TransactionTemplate(tm).execute(s -> {
            java.util.List<AuditEvent> list = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                list.add(writer.append(AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                        .eventTime(Instant.parse("2026-03-01T10:00:00Z")).correlationId("batch-" + i).channel("system")
                        .action("test.batch").outcome("success").actorType("system").build()));
            }
            return list;
        });
        auditLinked();

        long first = seqOf(stamped.get(0));
        for (int i = 0; i < n; i++) {
            assertThat(seqOf(stamped.get(i))).isEqualTo(first + i);
            java.util.Map<String, Object> row = jdbc.queryForMap("select prev_hash, record_hash from audit_event where seq = ?",
                    first + i);
            assertThat((byte[]) row.get("record_hash")).isEqualTo(AuditRecordCodec.chainHash((byte[]) row.get("prev_hash"),
                    first + i, codec.contentHash(stamped.get(i))));
            if (i > 0) {
                assertThat((byte[]) row.get("prev_hash")).isEqualTo(jdbc.queryForObject(
                        "select record_hash from audit_event where seq = ?", byte[].class, first + i - 1));
            }
        }
        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(first, first + n - 1, java.util.List.of(), null));
        assertThat(r.findings()).isEmpty();
        assertThat(r.checked()).isEqualTo(n);
    }

    /**
     * The inbox takes only what the sequencer can link: its columns are the log's, with the same types and
     * the same NOT NULLs, so a record the log would refuse fails the write it belongs to instead of stopping
     * the sequencer (and every record behind it) later.
     */
    @org.junit.jupiter.api.Test
    void theInboxTakesOnlyWhatTheLogTakes() {
        String columns = "select a.attname, format_type(a.atttypid, a.atttypmod) || case when a.attnotnull "
                + "then ' not null' else '' end from pg_attribute a where a.attrelid = ?::regclass and a.attnum > 0 "
                + "and not a.attisdropped and a.attname not in (%s) order by a.attname";
        java.util.Map<String, String> inbox = new java.util.TreeMap<>();
        jdbc.query(columns.formatted("'id', 'content_hash'"), (org.springframework.jdbc.core.RowCallbackHandler)
                rs -> inbox.put(rs.getString(1), rs.getString(2)), "audit_inbox");
        java.util.Map<String, String> log = new java.util.TreeMap<>();
        jdbc.query(columns.formatted("'seq', 'prev_hash', 'record_hash', 'chain_time'"),
                (org.springframework.jdbc.core.RowCallbackHandler) rs -> log.put(rs.getString(1), rs.getString(2)),
                "audit_event");
        assertThat(inbox).hasSize(28).isEqualTo(log);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "null, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'c', 's', 'a', 'success', sha256('x')",
            "'01a22d2c-4a9c-7af4-86ad-aa8211b33ab5', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'c', 's', 'a', null, sha256('x')",
            "'01a22d2c-4a9c-7af4-86ad-aa8211b33ab5', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'c', 's', 'a', 'success', '\\x00'",
            "'01a22d2c-4a9c-7af4-86ad-aa8211b33ab5', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'c', 's', 'a', 'success', null"})
    void theInboxRefusesARecordWithoutItsRequiredValuesOrASha256(String values) {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> jdbc.update(
                "insert into audit_inbox (event_id, schema_version, event_time, recorded_time, correlation_id, "
                        + "channel, action, outcome, content_hash) values (" + values + ")")))
                .isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class)
                .hasMessageMatching("(?s).*(violates not-null constraint|audit_sha256).*");
    }

    /**
     * Text values spelled like SQL null, or holding quotes, commas, braces and backslashes, must reach the
     * log as they were (or the record would lose them and fail verification).
     */
    @ParameterizedTest
    @ValueSource(strings = {"NULL", "null", "", " ", "a,b", "{x}", "\"q\"", "back\\slash", "tab\tand\nnewline", "Zoë 😀"})
    void textValuesReachTheLogAsTheyWere(String value) {
        long seq = appended(AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                .eventTime(Instant.now()).correlationId("text-" + value).channel("system").action("test.text")
                .outcome("success").actorType("client").actorUserAgent(value).subjectName(value).build());

        java.util.Map<String, Object> row = jdbc.queryForMap(
                "select actor_user_agent, subject_name, correlation_id from audit_event where seq = ?", seq);

        assertThat(row.get("actor_user_agent")).isEqualTo(value);
        assertThat(row.get("subject_name")).isEqualTo(value);
        assertThat(row.get("correlation_id")).isEqualTo("text-" + value);
        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(seq, seq, java.util.List.of(), null));
        assertThat(r.findings()).isEmpty();
    }

    /**
     * A lone UTF-16 surrogate (JSON allows {@code "\\ud800"}; UTF-8 cannot carry it) reaches the log as
     * the replacement the hashed bytes hold, so the record still verifies.
     */
    @org.junit.jupiter.api.Test
    void aLoneSurrogateIsStoredAsItWasHashed() {
        String value = "lone \ud800 surrogate";
        long seq = appended(AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                .eventTime(Instant.now()).correlationId("surrogate").channel("system").action("test.text")
                .outcome("success").actorType("client").subjectName(value).build());
        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(seq, seq, java.util.List.of(), null));
        assertThat(r.findings()).isEmpty();
        assertThat(r.checked()).isEqualTo(1);
    }

    /**
     * PostgreSQL stores no NUL: one in the changes (a name or a value) is stored, and hashed, as U+FFFD.
     * Text that only spells an escaped NUL (a backslash, then {@code u0000}) is stored as it is.
     */
    @org.junit.jupiter.api.Test
    void aNulInTheChangesIsStoredAsItWasHashed() throws Exception {
        AuditEvent nul = AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                .eventTime(Instant.now()).correlationId("nul").channel("system").action("test.changes")
                .outcome("success").changes(mapper.readTree("[{\"path\":\"a\\u0000b\",\"new\":\"x\\u0000\"}]")).build();
        AuditEvent spelled = nul.toBuilder().eventId(Generators.timeBasedEpochGenerator().generate())
                .changes(mapper.readTree("[{\"path\":\"a\\\\u0000b\"}]")).build();
        long first = appended(nul);
        long second = appended(spelled);

        assertThat(jdbc.queryForObject("select changes::text from audit_event where seq = ?", String.class, first))
                .isEqualTo("[{\"new\": \"x\ufffd\", \"path\": \"a\ufffdb\"}]");
        assertThat(jdbc.queryForObject("select changes -> 0 ->> 'path' from audit_event where seq = ?", String.class,
                second)).isEqualTo("a\\u0000b");
        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(first, second, java.util.List.of(), null));
        assertThat(r.findings()).isEmpty();
        assertThat(r.checked()).isEqualTo(2);
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
        long seq = appended(AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                .eventTime(Instant.now()).correlationId("changes").channel("system").action("test.changes")
                .outcome("success").changes(mapper.readTree(changes)).build());

        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(seq, seq, java.util.List.of(), null));

        assertThat(r.checked()).isEqualTo(1);
        assertThat(r.findings()).isEmpty();
    }
}
