package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.uuid.Generators;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.scimflow.support.MigrationDatabase;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An install that ran before partitions (migrations up to V4, records in one table) upgrades in place:
 * every record lands in the partition of its month, the chain still verifies, and appending goes on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditPartitionMigrationTest {

    MigrationDatabase pg;
    DataSource ds;
    JdbcTemplate db;
    final ObjectMapper mapper = new ObjectMapper();
    final AuditRecordCodec codec = new AuditRecordCodec(mapper);
    /** recorded_time of seq 1.., deliberately not monotonic (the hub sets it before taking the chain lock). */
    final List<String> recorded = List.of("2025-01-31T23:59:59.900Z", "2025-01-31T23:59:59.800Z",
            "2025-02-01T00:00:00.100Z", "2025-01-31T23:59:59.950Z", "2025-04-03T10:00:00Z", "2025-04-02T10:00:00Z");

    @BeforeAll
    void anInstallBeforePartitions() throws Exception {
        pg = MigrationDatabase.start("migration");
        ds = pg.dataSource();
        db = pg.jdbc();
        pg.migrateTo("4");
        for (String t : recorded) {
            AuditEvent e = AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                    .eventTime(Instant.parse(t)).recordedTime(Instant.parse(t)).correlationId("c-" + t).channel("system")
                    .action("test.before-partitions").outcome("success").actorType("system").build();
            db.queryForMap("select * from audit_append(?::jsonb, ?)", mapper.writeValueAsString(codec.toColumns(e)),
                    codec.contentHash(e));
        }
        pg.migrateTo(null);
    }

    @AfterAll
    void stop() throws Exception {
        pg.close();
    }


    @Test
    void everyRecordMovesIntoThePartitionOfItsMonthAndTheChainStillVerifies() throws Exception {
        // chain_time is the running maximum of recorded_time: seq 4 stays in February with seq 3.
        assertThat(db.queryForList("select tableoid::regclass::text from audit_event order by seq", String.class))
                .containsExactly("audit_event_2025_01", "audit_event_2025_01", "audit_event_2025_02", "audit_event_2025_02",
                        "audit_event_2025_04", "audit_event_2025_04");
        assertThat(db.queryForList("select partition_name from audit_partitions()", String.class))
                .contains("audit_event_2025_03", "audit_event_default");
        assertThat(db.queryForObject("select chain_time = (select max(recorded_time) from audit_event) from audit_chain_head",
                Boolean.class)).isTrue();

        AuditEvent next = AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                .eventTime(Instant.now()).recordedTime(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS))
                .correlationId("after").channel("system").action("test.after-partitions").outcome("success")
                .actorType("system").build();
        // Records now reach the log through the inbox (V17; V19 retired audit_append).
        db.update("insert into audit_inbox (" + RawRecord.CONTENT_COLUMNS + ", content_hash) select "
                + RawRecord.CONTENT_COLUMNS + ", ? from jsonb_populate_record(null::audit_inbox, ?::jsonb)",
                codec.contentHash(next), mapper.writeValueAsString(codec.toColumns(next)));
        assertThat(db.queryForObject("select audit_sequence_inbox(10)", Integer.class)).isEqualTo(1);
        assertThat(db.queryForObject("select seq from audit_event where event_id = ?", Long.class, next.eventId()))
                .isEqualTo(7L);

        AuditVerifier.Result r = new AuditVerifier(ds, SigningKeys.publicOnly(Files.createTempDirectory("keys")))
                .verify();
        assertThat(r.findings()).isEmpty();
        assertThat(r.checked()).isEqualTo(7);
    }

    @Test
    void partitionsCreatedLaterKeepNoStatisticsOfThePayloadButKeepThemOfTheFilterColumns() {
        assertThat(db.queryForObject("select attstattarget from pg_attribute where attrelid = 'audit_event_2025_01'::regclass "
                + "and attname = 'changes'", Integer.class)).isZero();
        // In one transaction that is rolled back: the other test counts the partitions' rows.
        List<String> analyzed = new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.datasource.DataSourceTransactionManager(ds)).execute(tx -> {
            String created = db.queryForObject("select audit_create_partition(date '2031-01-01')", String.class);
            assertThat(created).isEqualTo("audit_event_2031_01");
            assertThat(db.queryForObject("select attstattarget from pg_attribute "
                    + "where attrelid = 'audit_event_2031_01'::regclass and attname = 'changes'", Integer.class)).isZero();
            // (A test database: rows copied straight into the new partition, so that ANALYZE has something to read.)
            db.execute("insert into audit_event_2031_01 select * from jsonb_populate_recordset(null::audit_event_2031_01, "
                    + "(select jsonb_agg(to_jsonb(e) || jsonb_build_object('seq', 1000 + e.seq, "
                    + "'chain_time', '2031-01-02T00:00:00Z')) from audit_event e))");
            db.execute("analyze audit_event_2031_01");
            List<String> columns = db.queryForList("select attname::text from pg_stats "
                    + "where tablename = 'audit_event_2031_01'", String.class);
            tx.setRollbackOnly();
            return columns;
        });
        assertThat(analyzed).contains("action", "outcome", "actor_type", "correlation_id")
                .doesNotContain("changes", "record_hash", "prev_hash", "error", "http_path");
    }
}
