package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.uuid.Generators;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.scimflow.support.MigrationDatabase;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A hub stopped with records waiting in V17's inbox (canonical content as jsonb) upgrades to V18's inbox
 * (the log's columns) without losing one: each keeps its place in line, and once linked every record
 * verifies, so the columns V18 took out of the document rebuild the content its hash covers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditInboxMigrationTest {

    MigrationDatabase pg;
    DataSource ds;
    JdbcTemplate db;
    final ObjectMapper mapper = new ObjectMapper();
    final AuditRecordCodec codec = new AuditRecordCodec(mapper);
    final List<UUID> waiting = new ArrayList<>();

    @BeforeAll
    void aStoppedHubLeftRecordsInTheOldInbox() throws Exception {
        pg = MigrationDatabase.start("inbox");
        ds = pg.dataSource();
        db = pg.jdbc();
        pg.migrateTo("17");
        Instant t = Instant.parse("2026-11-30T10:00:00.123456Z");
        List<AuditEvent> events = List.of(
                AuditEvent.builder().eventId(id()).eventTime(t).recordedTime(t.plusMillis(3)).correlationId("c-1")
                        .parentEventId(id()).cycleId("cycle-7").channel("scim-in").action("scim.user.create")
                        .outcome("success").actorType("client").actorId("okta").actorIp("10.0.0.1")
                        .actorUserAgent("Okta SCIM \"client\", v2\\1").subjectType("User").subjectId(id().toString())
                        .subjectName("Zoë, O'Brien").subjectExternalId("E-1").targetSystem("ldap").targetId("uid=zoe")
                        .httpMethod("POST").httpPath("/scim/v2/Users").httpStatus(201).scimType("uniqueness")
                        .error("tab\tand\nnewline").attempt(2).durationMs(44)
                        .changes(mapper.readTree("[{\"path\":\"emails\",\"new\":[{\"value\":\"z@example.com\","
                                + "\"primary\":true}]},{\"path\":\"active\",\"new\":1.5e3}]"))
                        .build(),
                AuditEvent.builder().eventId(id()).eventTime(t.plusSeconds(1)).recordedTime(t.plusSeconds(1))
                        .correlationId("c-2").channel("system").action("test.minimal").outcome("success").build(),
                AuditEvent.builder().eventId(id()).eventTime(t.plusSeconds(2)).recordedTime(t.plusSeconds(2))
                        .correlationId("c-3").channel("audit-read").action("audit.query").outcome("denied")
                        .actorType("client").actorId("NULL").httpStatus(403).build());
        for (AuditEvent e : events) {
            db.update("insert into audit_inbox (record, content_hash) values (?::jsonb, ?)",
                    new String(codec.canonicalContent(e), StandardCharsets.UTF_8), codec.contentHash(e));
            waiting.add(e.eventId());
        }
        pg.migrateTo(null);
    }

    private static UUID id() {
        return Generators.timeBasedEpochGenerator().generate();
    }

    @AfterAll
    void stop() throws Exception {
        pg.close();
    }


    @Test
    void everyWaitingRecordIsLinkedInItsOrderAndVerifies() throws Exception {
        assertThat(db.queryForList("select event_id from audit_inbox order by id", UUID.class))
                .containsExactlyElementsOf(waiting);
        assertThat(db.queryForObject("select to_regclass('audit_inbox_v17') is null", Boolean.class)).isTrue();

        assertThat(db.queryForObject("select audit_sequence_inbox(100)", Integer.class)).isEqualTo(3);
        assertThat(db.queryForList("select event_id from audit_event order by seq", UUID.class))
                .containsExactlyElementsOf(waiting);
        assertThat(db.queryForObject("select count(*) from audit_inbox", Long.class)).isZero();

        AuditVerifier.Result r = new AuditVerifier(ds, SigningKeys.publicOnly(Files.createTempDirectory("keys")))
                .verify();
        assertThat(r.findings()).isEmpty();
        assertThat(r.checked()).isEqualTo(3);
    }
}
