package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Tampering as a database superuser with the triggers switched off, the way a real attacker would, and
 * the verifier (in-process and the {@code audit verify} command) must name what happened. Each scenario
 * restores the original rows afterwards, so the next one starts from an intact log.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditTamperTest {

    static Path dataDir;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) throws Exception {
        dataDir = Files.createTempDirectory(Path.of(System.getProperty("scimflow.test.tmp", "target")), "tamper-");
        r.add("scimflow.data-dir", dataDir::toString);
        r.add("scimflow.bootstrap-token", () -> "tamper-token");
        r.add("scimflow.kafka.bootstrap-servers", () -> "");
        // Checkpoints only when the test takes them.
        r.add("scimflow.audit.checkpoints.every-records", () -> "100000000");
        r.add("scimflow.audit.checkpoints.every-seconds", () -> "100000000");
    }

    @LocalServerPort
    int port;
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
    SigningKeys keys;
    @Autowired
    AuditIntegrity integrity;
    @Autowired
    AuditSequencer sequencer;
    @Autowired
    com.fasterxml.jackson.databind.ObjectMapper mapper;
    @Autowired
    org.scimflow.config.ScimflowProperties props;

    JdbcTemplate su;
    long checkpointSize;

    /** Links the records waiting in the inbox into the log now (the sequencer does it every 50 ms). */
    void auditLinked() {
        sequencer.drain();
    }

    @BeforeAll
    void writeSomeHistory() {
        su = new JdbcTemplate(owner);
        Api api = new Api("http://localhost:" + port, "tamper-token", mapper);
        for (int i = 0; i < 12; i++) {
            String id = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("t"))).json().get("id").asText();
            api.patch("/scim/v2/Users/" + id, Fixtures.patch("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"T" + i + "\"}]"));
        }
        org.awaitility.Awaitility.await().until(() -> jdbc.queryForObject("select seq from audit_chain_head", Long.class) >= 24);
        checkpointSize = checkpointer.checkpointNow().treeSize();
        api.get("/scim/v2/Users?count=1");
        org.awaitility.Awaitility.await().until(() -> jdbc.queryForObject("select seq from audit_chain_head", Long.class) > checkpointSize);
    }

    private AuditVerifier.Result verify() throws Exception {
        AuditVerifier.Options options = new AuditVerifier.Options(1, Long.MAX_VALUE,
                CheckpointStore.readFiles(dataDir.resolve("checkpoints"), mapper), "external");
        AuditVerifier.Result r = verifier.verify(options);
        // Records are checked in batches, links between batches on their own: with every record on a batch
        // edge, the findings are the same.
        for (int batch : new int[] {1, 2, 5}) {
            AuditVerifier.Result small = new AuditVerifier(jdbc.getDataSource(), keys, batch).verify(options);
            assertThat(small.findings()).as("batches of %d", batch).isEqualTo(r.findings());
            assertThat(small.checked()).isEqualTo(r.checked());
        }
        return r;
    }

    private void asSuperuser(String... sql) {
        su.execute("alter table audit_event disable trigger all");
        su.execute("alter table audit_checkpoint disable trigger all");
        try {
            for (String s : sql) {
                su.execute(s);
            }
        } finally {
            su.execute("alter table audit_event enable always trigger audit_event_no_update_delete");
            su.execute("alter table audit_event enable always trigger audit_event_no_truncate");
            su.execute("alter table audit_checkpoint enable always trigger audit_checkpoint_no_update_delete");
            su.execute("alter table audit_checkpoint enable always trigger audit_checkpoint_no_truncate");
        }
    }

    private int cli(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("audit", "verify", "--data-dir", dataDir.toString()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new AuditCli(new PrintStream(out), new PrintStream(new ByteArrayOutputStream()))
                .run(args.toArray(String[]::new));
        lastCliOutput = out.toString(StandardCharsets.UTF_8);
        return code;
    }

    String lastCliOutput;

    @Test
    @Order(1)
    void anUntouchedLogVerifiesInProcessAndFromTheCommandLine() throws Exception {
        AuditVerifier.Result r = verify();
        assertThat(r.findings()).isEmpty();
        assertThat(r.checkpointsChecked()).isEqualTo(2);
        assertThat(cli()).isZero();
        assertThat(lastCliOutput).contains("INTACT");
    }

    @Test
    @Order(2)
    void editingOneRecordIsNamedBySeq() throws Exception {
        long seq = 7;
        String action = jdbc.queryForObject("select action from audit_event where seq = ?", String.class, seq);
        asSuperuser("update audit_event set outcome = 'denied' where seq = " + seq);
        try {
            AuditVerifier.Result r = verify();
            assertThat(r.findings()).extracting(AuditVerifier.Finding::seq, AuditVerifier.Finding::kind)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(seq, "HASH_MISMATCH"));
            assertThat(cli()).isEqualTo(1);
            assertThat(lastCliOutput).contains("seq 7 HASH_MISMATCH");
            // The scheduled run finds it too, and its own record is a failure that says where.
            long head = jdbc.queryForObject("select seq from audit_chain_head", Long.class);
            integrity.runScheduled();
            auditLinked();
            var run = jdbc.queryForMap("select outcome, error from audit_event where seq > ? and action = 'audit.verify'",
                    head);
            assertThat(run.get("outcome")).isEqualTo("failure");
            assertThat(run.get("error")).isEqualTo("tampered: 1 finding(s), the first HASH_MISMATCH at seq 7");
            assertThat(integrity.health().getStatus().getCode()).isEqualTo("TAMPERED");
        } finally {
            asSuperuser("update audit_event set outcome = 'success' where seq = " + seq);
        }
        assertThat(action).isNotBlank();
        assertThat(verify().findings()).isEmpty();
    }

    @Test
    @Order(3)
    void deletingOneRecordIsMissingSeq() throws Exception {
        long seq = 5;
        asSuperuser("create table saved as select * from audit_event where seq = " + seq,
                "delete from audit_event where seq = " + seq);
        try {
            AuditVerifier.Result r = verify();
            assertThat(r.findings()).extracting(AuditVerifier.Finding::kind).contains("MISSING_SEQ", "CHECKPOINT_MISMATCH");
            assertThat(r.findings().get(0)).extracting(AuditVerifier.Finding::seq, AuditVerifier.Finding::kind)
                    .containsExactly(seq, "MISSING_SEQ");
        } finally {
            asSuperuser("insert into audit_event select * from saved", "drop table saved");
        }
        assertThat(verify().findings()).isEmpty();
    }

    @Test
    @Order(4)
    void cuttingOffTheTailAndItsCheckpointsIsCaughtByTheExternalCopy() throws Exception {
        long keep = checkpointSize - 4;
        List<Map<String, Object>> head = jdbc.queryForList("select seq, head_hash from audit_chain_head");
        asSuperuser("create table saved as select * from audit_event where seq > " + keep,
                "create table saved_cp as select * from audit_checkpoint",
                "delete from audit_event where seq > " + keep,
                "delete from audit_checkpoint",
                // A careful attacker also rewinds the chain head, so the database looks consistent.
                "update audit_chain_head set seq = " + keep + ", head_hash = (select record_hash from audit_event where seq = "
                        + keep + ")");
        try {
            AuditVerifier.Result dbOnly = verifier.verify();
            assertThat(dbOnly.findings()).as("the database alone looks intact").isEmpty();
            AuditVerifier.Result r = verify();
            assertThat(r.findings()).extracting(AuditVerifier.Finding::kind).contains("TRUNCATED");
            assertThat(r.findings().get(0).seq()).isEqualTo(keep + 1);
            assertThat(cli()).isEqualTo(1);
            assertThat(lastCliOutput).contains("TRUNCATED");
        } finally {
            asSuperuser("insert into audit_event select * from saved", "insert into audit_checkpoint select * from saved_cp",
                    "drop table saved", "drop table saved_cp",
                    "update audit_chain_head set seq = " + head.get(0).get("seq") + ", head_hash = (select record_hash "
                            + "from audit_event where seq = " + head.get(0).get("seq") + ")");
        }
        assertThat(verify().findings()).isEmpty();
    }

    @Test
    @Order(5)
    void rewritingTheChainWithFreshHashesIsCaughtByTheSignedCheckpoints() throws Exception {
        long from = 10;
        long headSeq = jdbc.queryForObject("select seq from audit_chain_head", Long.class);
        AuditRecordCodec codec = new AuditRecordCodec(mapper);
        asSuperuser("create table saved as select * from audit_event where seq >= " + from,
                "create table saved_head as select * from audit_chain_head");
        try {
            // Edit one record, then recompute every hash after it and the chain head: the chain is consistent.
            asSuperuser("update audit_event set subject_name = 'someone-else' where seq = " + from);
            byte[] prev = jdbc.queryForObject("select record_hash from audit_event where seq = ?", byte[].class, from - 1);
            for (long s = from; s <= headSeq; s++) {
                AuditEvent e = jdbc.queryForObject("select * from audit_event where seq = ?", (rs, i) -> codec.fromRow(rs), s);
                byte[] h = AuditRecordCodec.chainHash(prev, s, codec.contentHash(e.toBuilder().prevHash(prev).build()));
                su.update("alter table audit_event disable trigger all");
                su.update("update audit_event set prev_hash = ?, record_hash = ? where seq = ?", prev, h, s);
                su.update("alter table audit_event enable always trigger audit_event_no_update_delete");
                prev = h;
            }
            su.update("update audit_chain_head set head_hash = ?", (Object) prev);

            AuditVerifier.Result r = verify();
            assertThat(r.findings()).extracting(AuditVerifier.Finding::kind)
                    .doesNotContain("HASH_MISMATCH", "CHAIN_BREAK", "MISSING_SEQ")
                    .contains("CHECKPOINT_MISMATCH");
            assertThat(r.findings()).allSatisfy(f -> assertThat(f.seq()).isEqualTo(checkpointSize));

            // Re-signing the forged root needs the private key; a key of the attacker's own does not verify.
            SigningKeys forger = SigningKeys.open(Files.createTempDirectory("forger"), null);
            MerkleTree.CompactRange range = new MerkleTree.CompactRange();
            jdbc.query("select record_hash from audit_event where seq <= ? order by seq",
                    rs -> { range.append(rs.getBytes(1)); }, checkpointSize);
            byte[] headHash = jdbc.queryForObject("select record_hash from audit_event where seq = ?", byte[].class, checkpointSize);
            java.time.Instant at = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            byte[] sig = forger.sign(Checkpoint.payload(checkpointSize, range.root(), headHash, at).getBytes(StandardCharsets.UTF_8));
            asSuperuser("create table saved_cp as select * from audit_checkpoint");
            su.execute("alter table audit_checkpoint disable trigger all");
            su.update("update audit_checkpoint set root_hash = ?, head_hash = ?, created_at = ?, signature = ?, key_id = key_id "
                    + "where tree_size = ?", range.root(), headHash, java.sql.Timestamp.from(at), sig, checkpointSize);
            su.execute("alter table audit_checkpoint enable always trigger audit_checkpoint_no_update_delete");
            AuditVerifier.Result forged = verifier.verify();
            assertThat(forged.findings()).extracting(AuditVerifier.Finding::kind).contains("BAD_SIGNATURE");
        } finally {
            asSuperuser("delete from audit_event where seq >= " + from, "insert into audit_event select * from saved",
                    "drop table saved", "update audit_chain_head h set seq = s.seq, head_hash = s.head_hash from saved_head s",
                    "drop table saved_head");
            if (!su.queryForList("select 1 from pg_tables where tablename = 'saved_cp'").isEmpty()) {
                asSuperuser("delete from audit_checkpoint", "insert into audit_checkpoint select * from saved_cp",
                        "drop table saved_cp");
            }
        }
        assertThat(verify().findings()).isEmpty();
    }

    @Test
    @Order(6)
    void checkpointsSignedBeforeAKeyRotationStillVerify() throws Exception {
        String before = keys.activeKeyId();
        String after = keys.rotate();
        assertThat(after).isNotEqualTo(before);
        new Api("http://localhost:" + port, "tamper-token", mapper).get("/scim/v2/Users?count=1");
        org.awaitility.Awaitility.await().until(() ->
                jdbc.queryForObject("select seq from audit_chain_head", Long.class) > checkpointSize + 1);
        Checkpoint c = checkpointer.checkpointNow();
        assertThat(c.keyId()).isEqualTo(after);
        AuditVerifier.Result r = verify();
        assertThat(r.findings()).isEmpty();
        assertThat(jdbc.queryForList("select distinct key_id from audit_checkpoint", String.class))
                .containsExactlyInAnyOrder(before, after);
        assertThat(integrity.verifyNow("test").get("status").asText()).isEqualTo("intact");
    }

    @Test
    @Order(7)
    void relinkingOneRecordBreaksTheChainThereAndAtTheNext() throws Exception {
        long seq = 9;
        AuditRecordCodec codec = new AuditRecordCodec(mapper);
        AuditEvent e = jdbc.queryForObject("select * from audit_event where seq = ?", (rs, i) -> codec.fromRow(rs), seq);
        byte[] forged = AuditRecordCodec.sha256("forged".getBytes(StandardCharsets.UTF_8));
        asSuperuser("create table saved as select * from audit_event where seq = " + seq);
        try {
            // The record's own hash is consistent with its new link: only the links give it away.
            su.update("alter table audit_event disable trigger all");
            su.update("update audit_event set prev_hash = ?, record_hash = ? where seq = ?", forged,
                    AuditRecordCodec.chainHash(forged, seq, codec.contentHash(e)), seq);
            su.update("alter table audit_event enable always trigger audit_event_no_update_delete");

            AuditVerifier.Result r = verify();
            assertThat(r.findings()).filteredOn(f -> !f.kind().equals("CHECKPOINT_MISMATCH"))
                    .extracting(AuditVerifier.Finding::seq, AuditVerifier.Finding::kind)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(seq, "CHAIN_BREAK"),
                            org.assertj.core.groups.Tuple.tuple(seq + 1, "CHAIN_BREAK"));
            assertThat(r.findings()).extracting(AuditVerifier.Finding::seq).contains(checkpointSize);
        } finally {
            asSuperuser("delete from audit_event where seq = " + seq, "insert into audit_event select * from saved",
                    "drop table saved");
        }
        assertThat(verify().findings()).isEmpty();
    }

    @Test
    @Order(8)
    void theCommandSaysItCouldNotCheckWhenThereIsNothingToCheck() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new AuditCli(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err))
                .run(new String[] {"audit", "verify", "--data-dir", Files.createTempDirectory("empty").toString()});
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no audit database");
    }

    /**
     * A backlog is signed every N records, so that every record has a checkpoint's frontier fewer than about
     * 2N records before it: the start of its inclusion proof.
     */
    @Test
    @Order(9)
    void aBacklogIsSignedEveryNRecords() {
        Api api = new Api("http://localhost:" + port, "tamper-token", mapper);
        long before = checkpointer.checkpointNow().treeSize();
        props.getAudit().getCheckpoints().setEveryRecords(4);
        try {
            for (int i = 0; i < 13; i++) {
                api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("backlog")));
            }
            auditLinked();
            long head = jdbc.queryForObject("select seq from audit_chain_head", Long.class);
            assertThat(head - before).isGreaterThanOrEqualTo(13);
            assertThat(checkpointer.checkpointNow().treeSize()).isEqualTo(head);
            List<Long> sizes = jdbc.queryForList("select tree_size from audit_checkpoint where tree_size > ? "
                    + "order by tree_size", Long.class, before);
            List<Long> expected = new java.util.ArrayList<>();
            for (long s = before + 4; head - (s - 4) >= 8; s += 4) {
                expected.add(s);
            }
            expected.add(head);
            assertThat(sizes).isEqualTo(expected);
        } finally {
            props.getAudit().getCheckpoints().setEveryRecords(100000000);
        }
        assertThat(checkpointer.store().all()).allMatch(c -> c.verifies(keys));
    }

    /**
     * A proof reads the record hashes only from the closest checkpoint before its record: with a record
     * before that checkpoint gone, the proof of a later one is still served, and still verifies against the
     * checkpoint that covers it (the missing record is the verifier's finding, not the proof's).
     */
    @Test
    @Order(10)
    void aProofReadsOnlyFromTheClosestCheckpointBeforeItsRecord() throws Exception {
        Api api = new Api("http://localhost:" + port, "tamper-token", mapper);
        long start = checkpointer.checkpointNow().treeSize();
        String id = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("proof"))).json().get("id").asText();
        auditLinked();
        String eventId = jdbc.queryForObject("select event_id::text from audit_event where subject_id = ? "
                + "and action = 'scim.user.create'", String.class, id);
        api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("after")));
        auditLinked();
        Checkpoint covering = checkpointer.checkpointNow();
        assertThat(covering.treeSize()).isGreaterThan(start + 1);

        asSuperuser("create table saved as select * from audit_event where seq = 3", "delete from audit_event where seq = 3");
        try {
            Api.Response r = api.get("/audit/v1/events/" + eventId + "/proof");
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            com.fasterxml.jackson.databind.JsonNode proof = r.json();
            assertThat(proof.get("seq").asLong()).isGreaterThan(start);
            List<byte[]> path = new java.util.ArrayList<>();
            proof.get("auditPath").forEach(p -> path.add(java.util.HexFormat.of().parseHex(p.asText())));
            Checkpoint c = Checkpoint.fromJson(proof.get("checkpoint"));
            assertThat(c.treeSize()).isEqualTo(covering.treeSize());
            assertThat(MerkleTree.verifyInclusion(java.util.HexFormat.of().parseHex(proof.get("recordHash").asText()),
                    proof.get("leafIndex").asLong(), c.treeSize(), path, c.rootHash())).isTrue();
            // The control: a record with no checkpoint before it is proven from the first record on, and that
            // reading runs into the gap.
            String early = jdbc.queryForObject("select event_id::text from audit_event where seq = 4", String.class);
            Api.Response control = api.get("/audit/v1/events/" + early + "/proof");
            assertThat(control.status()).isNotEqualTo(200);
            // Both calls' own records, written a moment later, are in before the log is verified below.
            for (Api.Response call : List.of(r, control)) {
                org.scimflow.scim.AuditAwait.record(jdbc, call.header("X-Request-Id"), row -> { });
            }
        } finally {
            asSuperuser("insert into audit_event select * from saved", "drop table saved");
        }
        assertThat(verify().findings()).isEmpty();
    }

    /** A checkpoint file missing from the folder (a new folder, a failed write) is written again. */
    @Test
    @Order(11)
    void missingCheckpointFilesArePublishedAgain() throws Exception {
        Path dir = dataDir.resolve("checkpoints");
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.sorted().toList();
        }
        assertThat(files.size()).isGreaterThanOrEqualTo(3);
        Path first = files.get(0);
        Path last = files.get(files.size() - 1);
        byte[] firstBytes = Files.readAllBytes(first);
        byte[] lastBytes = Files.readAllBytes(last);
        Files.delete(first);
        Files.delete(last);
        checkpointer.reset();
        checkpointer.checkpointNow();
        assertThat(first).hasBinaryContent(firstBytes);
        assertThat(last).hasBinaryContent(lastBytes);
    }
}
