package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Monthly partitions and retention on a real PostgreSQL, in a hub of its own (its purges and tampering
 * must not reach other tests). Two months of history two years back are made by moving the oldest
 * records into partitions of those months as the database superuser; the retention job then archives and
 * drops them through the runtime role, as it would in production, and what remains still verifies. The
 * hub and its database stop after the class rather than idling in the context cache.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class AuditRetentionTest {

    static final String TOKEN = "retention-token";
    static final String AUDITOR_TOKEN = "retention-auditor-token";
    static Path dataDir;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) throws Exception {
        dataDir = Files.createTempDirectory(Path.of(System.getProperty("scimflow.test.tmp", "target")), "retention-");
        r.add("scimflow.data-dir", dataDir::toString);
        r.add("scimflow.bootstrap-token", () -> TOKEN);
        r.add("scimflow.kafka.bootstrap-servers", () -> "");
        r.add("scimflow.security.clients[0].id", () -> "auditor-1");
        r.add("scimflow.security.clients[0].token-sha256", () -> HubTest.sha256Hex(AUDITOR_TOKEN));
        r.add("scimflow.security.clients[0].roles", () -> "auditor");
        // Checkpoints and retention runs only when the test asks for them.
        r.add("scimflow.audit.checkpoints.every-records", () -> "100000000");
        r.add("scimflow.audit.checkpoints.every-seconds", () -> "100000000");
        r.add("scimflow.audit.retention.interval", () -> "1000d");
    }

    /** A clock the test moves; everything else in the hub keeps real time. */
    static final class MovableClock extends Clock {
        volatile Instant now;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now != null ? now : Instant.now();
        }
    }

    @TestConfiguration
    static class Clocks {
        @Bean
        @Primary
        MovableClock movableClock() {
            return new MovableClock();
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    AuditSequencer sequencer;

    /** Links the records waiting in the inbox into the log now (the sequencer does it every 50 ms). */
    void auditLinked() {
        sequencer.drain();
    }
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    @Qualifier("ownerDataSource")
    DataSource owner;
    @Autowired
    AuditVerifier verifier;
    @Autowired
    Checkpointer checkpointer;
    @Autowired
    AuditRetention retention;
    @Autowired
    SigningKeys keys;
    @Autowired
    MovableClock clock;
    @Autowired
    ObjectMapper mapper;

    JdbcTemplate su;
    Api api;
    /** The two old months, and the last seq of each (the first holds 1..firstEnd). */
    LocalDate oldMonth1;
    LocalDate oldMonth2;
    String oldPartition1;
    String oldPartition2;
    long firstEnd;
    long secondEnd;
    String firstEventId;
    byte[] firstBoundaryHash;
    byte[] secondBoundaryHash;

    static String partitionOf(LocalDate month) {
        return String.format("audit_event_%04d_%02d", month.getYear(), month.getMonthValue());
    }

    @BeforeAll
    void writeHistoryAndMoveItTwoYearsBack() {
        su = new JdbcTemplate(owner);
        api = new Api("http://localhost:" + port, TOKEN, mapper);
        for (int i = 0; i < 12; i++) {
            String id = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("r"))).json().get("id").asText();
            api.patch("/scim/v2/Users/" + id, Fixtures.patch("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"R" + i + "\"}]"));
        }
        Awaitility.await().until(() -> head() >= 24);
        firstEnd = 8;
        secondEnd = 15;
        LocalDate thisMonth = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
        oldMonth1 = thisMonth.minusMonths(24);
        oldMonth2 = thisMonth.minusMonths(23);
        oldPartition1 = partitionOf(oldMonth1);
        oldPartition2 = partitionOf(oldMonth2);
        su.queryForObject("select audit_create_partition(?)", String.class, java.sql.Date.valueOf(oldMonth1));
        su.queryForObject("select audit_create_partition(?)", String.class, java.sql.Date.valueOf(oldMonth2));
        // chain_time is not part of the hashed record: moving rows between months changes no hash. The
        // update moves each row into the partition of its new month (delete there, insert here).
        asSuperuser("update audit_event set chain_time = timestamptz '" + oldMonth1 + " 00:00:00+00' + seq * interval '1 minute' "
                        + "where seq <= " + firstEnd,
                "update audit_event set chain_time = timestamptz '" + oldMonth2 + " 00:00:00+00' + seq * interval '1 minute' "
                        + "where seq > " + firstEnd + " and seq <= " + secondEnd);
        firstEventId = jdbc.queryForObject("select event_id::text from audit_event where seq = 1", String.class);
        firstBoundaryHash = jdbc.queryForObject("select record_hash from audit_event where seq = ?", byte[].class, firstEnd);
        secondBoundaryHash = jdbc.queryForObject("select record_hash from audit_event where seq = ?", byte[].class, secondEnd);
    }

    long head() {
        return jdbc.queryForObject("select seq from audit_chain_head", Long.class);
    }

    void asSuperuser(String... sql) {
        su.execute("alter table audit_event disable trigger all");
        su.execute("alter table audit_checkpoint disable trigger all");
        su.execute("alter table audit_purge disable trigger all");
        try {
            for (String s : sql) {
                su.execute(s);
            }
        } finally {
            su.execute("alter table audit_event enable always trigger audit_event_no_update_delete");
            su.execute("alter table audit_event enable always trigger audit_event_no_truncate");
            su.execute("alter table audit_checkpoint enable always trigger audit_checkpoint_no_update_delete");
            su.execute("alter table audit_checkpoint enable always trigger audit_checkpoint_no_truncate");
            su.execute("alter table audit_purge enable always trigger audit_purge_no_update_delete");
            su.execute("alter table audit_purge enable always trigger audit_purge_no_truncate");
        }
    }

    AuditVerifier.Result verify() throws Exception {
        return verifier.verify(new AuditVerifier.Options(1, Long.MAX_VALUE,
                CheckpointStore.readFiles(dataDir.resolve("checkpoints"), mapper), "external"));
    }

    String lastCliOutput;

    int cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new AuditCli(new PrintStream(out), new PrintStream(out)).run(args);
        lastCliOutput = out.toString(StandardCharsets.UTF_8);
        return code;
    }

    List<String> partitionNames() {
        return jdbc.queryForList("select partition_name from audit_partitions()", String.class);
    }

    String dropAsRuntimeRole(String partition) {
        return jdbc.queryForObject("select partition_name from audit_drop_partition(?) join audit_purge p on p.id = purge_id",
                String.class, partition);
    }

    @Test
    @Order(1)
    void newRecordsLandInThePartitionOfTheirMonth() {
        long before = head();
        api.get("/scim/v2/Users?count=1");
        Awaitility.await().until(() -> head() > before);
        Map<String, Object> row = jdbc.queryForMap("select tableoid::regclass::text as part, chain_time, "
                + "'audit_event_' || to_char(chain_time at time zone 'UTC', 'YYYY_MM') as expected "
                + "from audit_event where seq = (select max(seq) from audit_event)");
        assertThat(row.get("part")).isEqualTo(row.get("expected"));
        assertThat(((java.sql.Timestamp) row.get("chain_time")).toInstant()).isCloseTo(Instant.now(),
                org.assertj.core.api.Assertions.within(Duration.ofMinutes(5)));
        // The moved history sits in the old months, every month holding one contiguous seq range.
        assertThat(jdbc.queryForList("select distinct tableoid::regclass::text from audit_event where seq <= ?", String.class,
                firstEnd)).containsExactly(oldPartition1);
        assertThat(jdbc.queryForList("select distinct tableoid::regclass::text from audit_event where seq > ? and seq <= ?",
                String.class, firstEnd, secondEnd)).containsExactly(oldPartition2);
        assertThat(retention.partitions()).filteredOn(AuditRetention.Partition::isDefault)
                .singleElement().satisfies(p -> assertThat(p.firstSeq()).isNull());
    }

    @Test
    @Order(2)
    void partitionsAreCreatedAheadAndEveryPartitionIsAppendOnly() {
        LocalDate thisMonth = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
        assertThat(partitionNames()).contains(partitionOf(thisMonth), partitionOf(thisMonth.plusMonths(1)),
                partitionOf(thisMonth.plusMonths(2)), "audit_event_default");
        // The runtime role keeps partitions ahead through the SECURITY DEFINER function.
        List<String> created = jdbc.queryForList("select * from audit_ensure_partitions(4)", String.class);
        assertThat(created).contains(partitionOf(thisMonth.plusMonths(4)));
        assertThat(jdbc.queryForList("select * from audit_ensure_partitions(4)", String.class)).isEmpty();
        assertThat(retention.partitions()).allSatisfy(p -> assertThat(p.appendOnly()).as(p.name()).isTrue());
        // Also a partition created later refuses changes, for the owner too and in replica mode.
        String later = partitionOf(thisMonth.plusMonths(4));
        var ownerTx = new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.datasource.DataSourceTransactionManager(owner));
        for (String sql : new String[] {"truncate " + later, "truncate audit_event_default", "truncate " + oldPartition1,
                "delete from " + oldPartition1, "update " + oldPartition2 + " set action = 'x'"}) {
            assertThatThrownBy(() -> ownerTx.executeWithoutResult(s -> {
                su.execute("set local session_replication_role = replica");
                su.execute(sql);
            })).as(sql).hasStackTraceContaining("append-only");
        }
    }

    @Test
    @Order(3)
    void theRuntimeRoleCannotDropDetachOrTruncateAPartition() {
        assertThatThrownBy(() -> jdbc.execute("drop table " + oldPartition1)).hasStackTraceContaining("must be owner");
        assertThatThrownBy(() -> jdbc.execute("alter table audit_event detach partition " + oldPartition1))
                .hasStackTraceContaining("must be owner");
        assertThatThrownBy(() -> jdbc.execute("truncate " + oldPartition1)).hasStackTraceContaining("permission denied");
        assertThatThrownBy(() -> jdbc.execute("delete from audit_event where seq = 1")).hasStackTraceContaining("permission denied");
        assertThatThrownBy(() -> jdbc.queryForObject("select audit_create_partition(current_date)", String.class))
                .hasStackTraceContaining("permission denied");
        // Records go in only through the inbox and the owner's sequencing function, which hands out each seq once.
        assertThatThrownBy(() -> jdbc.execute("insert into audit_event select * from audit_event where seq = 1"))
                .hasStackTraceContaining("permission denied");
        assertThatThrownBy(() -> jdbc.execute("update audit_chain_head set chain_time = 'infinity'"))
                .hasStackTraceContaining("permission denied");
        assertThat(partitionNames()).contains(oldPartition1, oldPartition2);
    }

    @Test
    @Order(4)
    void aPurgeIsRefusedWithoutASignedCheckpointAtItsLastRecord() {
        assertThat(jdbc.queryForList("select tree_size from audit_checkpoint where tree_size = ?", Long.class, firstEnd)).isEmpty();
        assertThatThrownBy(() -> dropAsRuntimeRole(oldPartition1))
                .hasStackTraceContaining("no signed checkpoint at tree size " + firstEnd);
        assertThat(partitionNames()).contains(oldPartition1);
    }

    @Test
    @Order(5)
    void aPurgeIsRefusedWithoutAVerifiedArchive() {
        Checkpoint c = checkpointer.checkpointAt(firstEnd);
        assertThat(c.treeSize()).isEqualTo(firstEnd);
        assertThat(c.headHash()).isEqualTo(firstBoundaryHash);
        assertThatThrownBy(() -> dropAsRuntimeRole(oldPartition1))
                .hasStackTraceContaining("no verified archive of seq 1.." + firstEnd);
        // An archive row for another range does not do.
        assertThatThrownBy(() -> new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.datasource.DataSourceTransactionManager(jdbc.getDataSource())).executeWithoutResult(s -> {
                    jdbc.update("insert into audit_archive (partition_name, first_seq, last_seq, row_count, file_name, sha256, "
                            + "checkpoint_size, verified_at) values (?, 1, 7, 7, 'x', ?, 7, now())", oldPartition1, new byte[32]);
                    dropAsRuntimeRole(oldPartition1);
                })).hasStackTraceContaining("no verified archive");
        assertThat(partitionNames()).contains(oldPartition1);
    }

    @Test
    @Order(6)
    void onlyTheOldestPartitionOfAPastMonthIsPurged() {
        checkpointer.checkpointAt(secondEnd);
        assertThatThrownBy(() -> dropAsRuntimeRole(oldPartition2)).hasStackTraceContaining("is not the oldest partition");
        String thisMonth = partitionOf(LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1));
        assertThatThrownBy(() -> dropAsRuntimeRole(thisMonth)).hasStackTraceContaining("not entirely older than the current month");
        assertThatThrownBy(() -> dropAsRuntimeRole("audit_event_default")).hasStackTraceContaining("only monthly partitions");
        assertThatThrownBy(() -> dropAsRuntimeRole("scim_user")).hasStackTraceContaining("not a partition of audit_event");
        assertThat(partitionNames()).contains(oldPartition1, oldPartition2, thisMonth);
    }

    @Test
    @Order(7)
    void nothingIsPurgedBeforeTheRetentionPeriodEnds() {
        // 10 days after the second old month ended: the first ended 41 days ago, far from 400.
        clock.now = oldMonth2.plusMonths(1).plusDays(10).atStartOfDay(ZoneOffset.UTC).toInstant();
        try {
            JsonNode r = retention.run(null);
            assertThat(r.get("purged")).isEmpty();
            assertThat(r.get("failed")).isEmpty();
        } finally {
            clock.now = null;
        }
        assertThat(partitionNames()).contains(oldPartition1, oldPartition2);
    }

    @Test
    @Order(8)
    void aFailedPurgeLeavesThePartitionInPlaceAndIsRecorded() throws Exception {
        // Something stands where the archive must go: the export cannot be moved into place.
        Path blocker = dataDir.resolve("archive").resolve(oldPartition1 + ".seq-1-" + firstEnd + ".ndjson");
        Files.createDirectories(blocker.resolve("in-the-way"));
        try {
            JsonNode r = retention.run(null);
            assertThat(r.get("purged")).isEmpty();
            assertThat(r.get("failed")).hasSize(1);
            assertThat(r.get("failed").get(0).get("partition").asText()).isEqualTo(oldPartition1);
        } finally {
            Files.delete(blocker.resolve("in-the-way"));
            Files.delete(blocker);
        }
        assertThat(partitionNames()).contains(oldPartition1, oldPartition2);
        assertThat(jdbc.queryForObject("select count(*) from audit_purge where row_count > 0", Long.class)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from audit_archive where partition_name = ?", Long.class,
                oldPartition1)).isZero();
        Awaitility.await().until(() -> jdbc.queryForObject("select count(*) from audit_event where action = 'audit.purge' "
                + "and outcome = 'failure' and subject_id = ?", Long.class, oldPartition1) == 1);
        assertThat(verify().findings()).isEmpty();
    }

    @Test
    @Order(9)
    void monthsPastRetentionAreArchivedVerifiedAndPurgedByAnAdmin() throws Exception {
        Api auditor = api.withToken(AUDITOR_TOKEN);
        assertThat(auditor.send("POST", "/audit/v1/retention/run", null, null, Map.of()).status()).isEqualTo(403);
        // Camel matches REST paths ignoring case and trailing slashes; so must the rule that guards this one.
        for (String spelling : List.of("/audit/v1/Retention/Run", "/audit/v1/retention/run/", "/audit/v1/RETENTION/run//")) {
            assertThat(auditor.send("POST", spelling, null, null, Map.of()).status()).as(spelling).isIn(400, 403);
        }
        assertThat(partitionNames()).contains(oldPartition1, oldPartition2);

        Api.Response run = api.send("POST", "/audit/v1/retention/run", null, null, Map.of());
        assertThat(run.status()).isEqualTo(200);
        assertThat(run.json().get("failed")).isEmpty();
        JsonNode purged = run.json().get("purged");
        List<String> names = new ArrayList<>();
        purged.forEach(p -> names.add(p.get("partition").asText()));
        assertThat(names).containsExactly(oldPartition1, oldPartition2);
        assertThat(partitionNames()).doesNotContain(oldPartition1, oldPartition2);

        // The purges, as the database recorded them: a prefix of the chain, cut at signed checkpoints.
        List<Map<String, Object>> purges = jdbc.queryForList("select * from audit_purge where row_count > 0 order by id");
        assertThat(purges).extracting(p -> p.get("partition_name"), p -> p.get("first_seq"), p -> p.get("last_seq"),
                        p -> p.get("row_count"))
                .containsExactly(Tuple.tuple(oldPartition1, 1L, firstEnd, firstEnd),
                        Tuple.tuple(oldPartition2, firstEnd + 1, secondEnd, secondEnd - firstEnd));
        assertThat((byte[]) purges.get(0).get("boundary_hash")).isEqualTo(firstBoundaryHash);
        assertThat((byte[]) purges.get(1).get("boundary_hash")).isEqualTo(secondBoundaryHash);
        assertThat(purges).allSatisfy(p -> assertThat(p.get("purged_by")).isEqualTo("scimflow_app"));
        assertThat(CheckpointStore.readFiles(dataDir.resolve("checkpoints"), mapper)).extracting(Checkpoint::treeSize)
                .contains(firstEnd, secondEnd);

        // Each purge is an audit event of the admin who asked, naming the month, its range and its archive.
        auditLinked();
        List<AuditEvent> events = jdbc.query("select * from audit_event where action = 'audit.purge' and outcome = 'success' "
                + "order by seq", (rs, i) -> new AuditRecordCodec(mapper).fromRow(rs));
        assertThat(events).extracting(AuditEvent::subjectId, AuditEvent::subjectName, AuditEvent::channel, AuditEvent::actorId)
                .containsExactly(Tuple.tuple(oldPartition1, "seq 1.." + firstEnd, "admin", "bootstrap"),
                        Tuple.tuple(oldPartition2, "seq " + (firstEnd + 1) + ".." + secondEnd, "admin", "bootstrap"));
        assertThat(events.get(0).targetId()).isEqualTo(purged.get(0).get("archive").asText());

        // The archives verify offline, each against the signed checkpoints at both of its ends.
        Path keysDir = dataDir.resolve("keys");
        for (JsonNode p : purged) {
            Path file = dataDir.resolve("archive").resolve(p.get("archive").asText());
            ExportVerifier.Result r = new ExportVerifier(SigningKeys.publicOnly(keysDir)).verify(file);
            assertThat(r.findings()).isEmpty();
            assertThat(r.intact()).isTrue();
            assertThat(r.records()).isEqualTo(p.get("records").asLong());
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))))
                    .isEqualTo(p.get("sha256").asText())
                    .isEqualTo(HexFormat.of().formatHex(jdbc.queryForObject("select sha256 from audit_archive where file_name = ?",
                            byte[].class, file.getFileName().toString())));
            assertThat(cli("audit", "verify-export", file.toString(), "--keys", keysDir.toString())).as(lastCliOutput).isZero();
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as("an archive of personal data").isEqualTo("rw-------");
        }
        assertThat(purged.get(1).get("startCheckpoint").asLong()).isEqualTo(firstEnd);

        // What remains verifies, from the first kept record, in process and from the command line.
        AuditVerifier.Result r = verify();
        assertThat(r.findings()).isEmpty();
        assertThat(r.firstSeq()).isEqualTo(secondEnd + 1);
        assertThat(r.checked()).isEqualTo(r.lastSeq() - secondEnd);
        assertThat(cli("audit", "verify", "--data-dir", dataDir.toString())).as(lastCliOutput).isZero();
        assertThat(lastCliOutput).contains("INTACT");

        // Auditors see partitions, archives and purges.
        JsonNode status = auditor.get("/audit/v1/retention").json();
        assertThat(status.get("purges")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(status.get("archives")).hasSize(2);
        assertThat(status.get("retentionDays").asInt()).isEqualTo(400);
        assertThat(status.get("partitions").findValuesAsText("name")).doesNotContain(oldPartition1);
    }

    @Test
    @Order(10)
    void aKeptRecordStillHasAnInclusionProofAfterThePurge() {
        checkpointer.checkpointNow();
        long seq = secondEnd + 2;
        String eventId = jdbc.queryForObject("select event_id::text from audit_event where seq = ?", String.class, seq);
        JsonNode proof = api.get("/audit/v1/events/" + eventId + "/proof").json();
        List<byte[]> path = new ArrayList<>();
        proof.get("auditPath").forEach(h -> path.add(HexFormat.of().parseHex(h.asText())));
        Checkpoint c = Checkpoint.fromJson(proof.get("checkpoint"));
        assertThat(c.verifies(keys)).isTrue();
        assertThat(MerkleTree.verifyInclusion(HexFormat.of().parseHex(proof.get("recordHash").asText()), seq - 1,
                c.treeSize(), path, c.rootHash())).isTrue();
        // A purged record is gone from the API; its archive is where it is now.
        assertThat(api.get("/audit/v1/events/" + firstEventId + "/proof").status()).isEqualTo(404);
        assertThat(api.get("/audit/v1/events/" + firstEventId).status()).isEqualTo(404);

        // Consistency from the purge boundary on still verifies; from a checkpoint before it, the records
        // it needs are gone, which the answer says.
        long boundary = jdbc.queryForObject("select max(last_seq) from audit_purge", Long.class);
        Checkpoint atBoundary = checkpointer.store().at(boundary).orElseThrow();
        JsonNode consistency = api.get("/audit/v1/checkpoints/consistency?from=" + boundary + "&to=" + c.treeSize()).json();
        List<byte[]> nodes = new ArrayList<>();
        consistency.get("consistencyPath").forEach(h -> nodes.add(HexFormat.of().parseHex(h.asText())));
        assertThat(MerkleTree.verifyConsistency(boundary, c.treeSize(), nodes, atBoundary.rootHash(), c.rootHash())).isTrue();
        long before = jdbc.queryForObject("select max(tree_size) from audit_checkpoint where tree_size < ?", Long.class,
                boundary);
        Api.Response gone = api.get("/audit/v1/checkpoints/consistency?from=" + before + "&to=" + c.treeSize());
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().get("detail").asText()).contains("purge boundary " + boundary);
    }

    @Test
    @Order(11)
    void tamperingWithAKeptRecordAfterAPurgeIsStillDetected() throws Exception {
        long seq = secondEnd + 3;
        String outcome = jdbc.queryForObject("select outcome from audit_event where seq = ?", String.class, seq);
        asSuperuser("update audit_event set outcome = 'denied' where seq = " + seq);
        try {
            AuditVerifier.Result r = verify();
            assertThat(r.findings()).extracting(AuditVerifier.Finding::seq, AuditVerifier.Finding::kind)
                    .containsExactly(Tuple.tuple(seq, "HASH_MISMATCH"));
            assertThat(cli("audit", "verify", "--data-dir", dataDir.toString())).isEqualTo(1);
            assertThat(lastCliOutput).contains("seq " + seq + " HASH_MISMATCH");
        } finally {
            asSuperuser("update audit_event set outcome = '" + outcome + "' where seq = " + seq);
        }
        assertThat(verify().findings()).isEmpty();
    }

    @Test
    @Order(12)
    void deletingTheNextRecordsAndForgingAPurgeOfThemIsDetected() throws Exception {
        long upTo = secondEnd + 4;
        assertThat(jdbc.queryForList("select tree_size from audit_checkpoint where tree_size = ?", Long.class, upTo)).isEmpty();
        long archiveId = jdbc.queryForObject("select max(id) from audit_archive", Long.class);
        asSuperuser("create table saved as select * from audit_event where seq > " + secondEnd + " and seq <= " + upTo,
                "delete from audit_event where seq > " + secondEnd + " and seq <= " + upTo,
                "insert into audit_purge (partition_name, range_from, range_to, first_seq, last_seq, boundary_hash, row_count, "
                        + "archive_id) select 'audit_event_2000_01', '2000-01-01', '2000-02-01', " + (secondEnd + 1) + ", "
                        + upTo + ", record_hash, " + (upTo - secondEnd) + ", " + archiveId + " from saved where seq = " + upTo);
        try {
            AuditVerifier.Result r = verify();
            assertThat(r.findings()).extracting(AuditVerifier.Finding::kind).containsOnly("TRUNCATED");
            assertThat(r.findings()).extracting(AuditVerifier.Finding::seq).contains(upTo, secondEnd + 1);
            assertThat(cli("audit", "verify", "--data-dir", dataDir.toString())).isEqualTo(1);
        } finally {
            asSuperuser("insert into audit_event select * from saved", "drop table saved",
                    "delete from audit_purge where partition_name = 'audit_event_2000_01'");
        }
        assertThat(verify().findings()).isEmpty();
        // Records simply missing after the boundary are missing, whatever the purge table says.
        asSuperuser("create table saved as select * from audit_event where seq = " + (secondEnd + 1),
                "delete from audit_event where seq = " + (secondEnd + 1));
        try {
            assertThat(verify().findings()).extracting(AuditVerifier.Finding::seq, AuditVerifier.Finding::kind)
                    .contains(Tuple.tuple(secondEnd + 1, "MISSING_SEQ"));
        } finally {
            asSuperuser("insert into audit_event select * from saved", "drop table saved");
        }
    }

    @Test
    @Order(13)
    void theMerkleTreeResumesOnlyFromAFrontierThatMatchesTheSignedRoot() throws Exception {
        String frontier = jdbc.queryForObject("select frontier from audit_checkpoint where tree_size = ?", String.class, secondEnd);
        MerkleTree.CompactRange other = new MerkleTree.CompactRange();
        for (long i = 0; i < secondEnd; i++) {
            other.append(new byte[32]);
        }
        asSuperuser("update audit_checkpoint set frontier = '" + other.encode() + "' where tree_size = " + secondEnd);
        try {
            AuditVerifier.Result r = verify();
            assertThat(r.findings()).extracting(AuditVerifier.Finding::seq, AuditVerifier.Finding::kind)
                    .contains(Tuple.tuple(secondEnd, "CHECKPOINT_MISMATCH"));
        } finally {
            asSuperuser("update audit_checkpoint set frontier = '" + frontier + "' where tree_size = " + secondEnd);
        }
        assertThat(verify().findings()).isEmpty();
    }
}
