package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scimflow.scim.AuditAwait;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;

/** The auditor's integrity tools over HTTP: verification, checkpoints, keys, proofs, timeline, signed exports. */
class AuditIntegrityApiTest extends HubTest {

    @Autowired
    Checkpointer checkpointer;
    @Autowired
    AuditIntegrity integrity;
    @Autowired
    AuditRetention retention;
    @Autowired
    AuditMaintenance maintenance;
    @Autowired
    @org.springframework.beans.factory.annotation.Qualifier("ownerDataSource")
    javax.sql.DataSource owner;

    /**
     * One verification at a time: a request made while one runs gets that run's result. The first run is
     * held at its last step (storing its result) by a lock on the results table, so the second request
     * certainly arrives while it runs.
     */
    @Test
    void aVerificationRequestedWhileOneRunsSharesItsResult() throws Exception {
        long before = jdbc.queryForObject("select count(*) from audit_verification", Long.class);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (java.sql.Connection lock = owner.getConnection()) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("lock table audit_verification in exclusive mode");
            var first = pool.submit(() -> api.withToken(AUDITOR_TOKEN).get("/audit/v1/verify"));
            org.awaitility.Awaitility.await().until(() -> jdbc.queryForObject("select count(*) from pg_stat_activity "
                    + "where wait_event_type = 'Lock' and query like 'insert into audit_verification%'", Long.class) == 1);
            var second = pool.submit(() -> api.get("/audit/v1/verify"));
            // The second request waits for the first one's run instead of starting its own.
            org.awaitility.Awaitility.await().until(() -> integrity.joinedCallers() == 1);
            assertThat(second.isDone()).isFalse();
            lock.rollback();
            Api.Response a = first.get(30, java.util.concurrent.TimeUnit.SECONDS);
            Api.Response b = second.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(a.status()).isEqualTo(200);
            assertThat(b.status()).isEqualTo(200);
            assertThat(b.json().get("checkedAt")).isEqualTo(a.json().get("checkedAt"));
            assertThat(b.json().get("source").asText()).isEqualTo("api:auditor-1");
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.queryForObject("select count(*) from audit_verification", Long.class)).isEqualTo(before + 1);
        // Once it is over, the next request runs anew.
        api.get("/audit/v1/verify");
        assertThat(jdbc.queryForObject("select count(*) from audit_verification", Long.class)).isEqualTo(before + 2);
    }

    /**
     * Retention and a verification never run at once: the verification's share lock on the log would make
     * retention's partition change wait, with every audited write queued behind it. While one holds the
     * hub's maintenance lock, both wait for it.
     */
    @Test
    void retentionAndVerificationWaitForEachOther() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var retentionRun = new java.util.concurrent.atomic.AtomicReference<java.util.concurrent.Future<?>>();
            var verification = new java.util.concurrent.atomic.AtomicReference<java.util.concurrent.Future<?>>();
            maintenance.exclusively(() -> {
                retentionRun.set(pool.submit(() -> retention.run(null)));
                org.awaitility.Awaitility.await().until(() -> maintenance.waiting() == 1);
                verification.set(pool.submit(() -> integrity.verifyNow("test")));
                org.awaitility.Awaitility.await().until(() -> maintenance.waiting() == 2);
                assertThat(retentionRun.get().isDone()).isFalse();
                assertThat(verification.get().isDone()).isFalse();
                return null;
            });
            retentionRun.get().get(30, java.util.concurrent.TimeUnit.SECONDS);
            verification.get().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(maintenance.waiting()).isZero();
    }

    @Test
    void theScheduledVerificationIsStoredAndIsItselfAnAuditEvent() throws Exception {
        long head = jdbc.queryForObject("select seq from audit_chain_head", Long.class);
        integrity.runScheduled();
        assertThat(jdbc.queryForObject("select source from audit_verification order by id desc limit 1", String.class))
                .isEqualTo("schedule");
        auditLinked();
        var row = jdbc.queryForMap("select * from audit_event where seq > ? and action = 'audit.verify' "
                + "and actor_id = 'audit-verification'", head);
        assertThat(row.get("outcome")).isEqualTo("success");
        assertThat(row.get("channel")).isEqualTo("system");
        assertThat(api.withToken(AUDITOR_TOKEN).get("/audit/v1/verify/last").json().get("source").asText())
                .isEqualTo("schedule");
    }

    @Test
    void verifyRunsRecordsItsResultAndIsItselfAudited() {
        checkpointer.checkpointNow();
        Api.Response r = api.withToken(AUDITOR_TOKEN).get("/audit/v1/verify");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("intact");
        assertThat(r.json().get("checked").asLong()).isPositive();
        assertThat(r.json().get("checkpointsChecked").asInt()).isGreaterThanOrEqualTo(2); // database + folder copy
        assertThat(r.json().get("findings")).isEmpty();
        AuditAwait.record(jdbc, r.header("X-Request-Id"), row -> {
            assertThat(row.get("action")).isEqualTo("audit.verify");
            assertThat(row.get("actor_id")).isEqualTo("auditor-1");
        });
        Api.Response last = api.get("/audit/v1/verify/last");
        assertThat(last.json().get("status").asText()).isEqualTo("intact");
        assertThat(last.json().at("/lastCheckpoint/treeSize").asLong()).isPositive();
        assertThat(api.get("/actuator/health").raw()).contains("UP");
    }

    @Test
    void inclusionProofVerifiesAgainstTheSignedCheckpoint() throws Exception {
        String id = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("proof"))).json().get("id").asText();
        auditLinked();
        String eventId = jdbc.queryForObject("select event_id::text from audit_event where subject_id = ? "
                + "and action = 'scim.user.create'", String.class, id);
        checkpointer.checkpointNow();

        JsonNode proof = api.get("/audit/v1/events/" + eventId + "/proof").json();

        HexFormat hex = HexFormat.of();
        List<byte[]> path = new ArrayList<>();
        proof.get("auditPath").forEach(p -> path.add(hex.parseHex(p.asText())));
        Checkpoint c = Checkpoint.fromJson(proof.get("checkpoint"));
        byte[] leaf = hex.parseHex(proof.get("recordHash").asText());
        assertThat(MerkleTree.verifyInclusion(leaf, proof.get("leafIndex").asLong(), c.treeSize(), path, c.rootHash()))
                .isTrue();
        byte[] forged = leaf.clone();
        forged[0] ^= 1;
        assertThat(MerkleTree.verifyInclusion(forged, proof.get("leafIndex").asLong(), c.treeSize(), path, c.rootHash()))
                .isFalse();
        // The checkpoint is signed by a key the keys endpoint publishes.
        JsonNode keys = api.get("/audit/v1/keys").json();
        assertThat(keys.get("keys").findValuesAsText("keyId")).contains(c.keyId());
        assertThat(api.get("/audit/v1/checkpoints").json().get("checkpoints")).isNotEmpty();
    }

    /** A holder of an earlier checkpoint checks that a later one extends it, from the two signed roots alone. */
    @Test
    void consistencyProofBetweenTwoSignedCheckpoints() {
        api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("before")));
        Checkpoint first = checkpointer.checkpointNow();
        for (int i = 0; i < 3; i++) {
            api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("after")));
        }
        Checkpoint second = checkpointer.checkpointNow();
        assertThat(second.treeSize()).isGreaterThan(first.treeSize());

        Api.Response r = api.withToken(AUDITOR_TOKEN).get("/audit/v1/checkpoints/consistency?from=" + first.treeSize()
                + "&to=" + second.treeSize());
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        HexFormat hex = HexFormat.of();
        List<byte[]> path = new ArrayList<>();
        r.json().get("consistencyPath").forEach(p -> path.add(hex.parseHex(p.asText())));
        Checkpoint from = Checkpoint.fromJson(r.json().get("from"));
        Checkpoint to = Checkpoint.fromJson(r.json().get("to"));
        assertThat(from.rootHash()).isEqualTo(first.rootHash());
        assertThat(to.rootHash()).isEqualTo(second.rootHash());
        assertThat(MerkleTree.verifyConsistency(first.treeSize(), second.treeSize(), path, first.rootHash(),
                second.rootHash())).isTrue();
        // Against another root (a rewritten log would have one), the same path fails.
        byte[] other = second.rootHash().clone();
        other[0] ^= 1;
        assertThat(MerkleTree.verifyConsistency(first.treeSize(), second.treeSize(), path, first.rootHash(), other))
                .isFalse();
        AuditAwait.record(jdbc, r.header("X-Request-Id"), row -> {
            assertThat(row.get("action")).isEqualTo("audit.consistency.read");
            assertThat(row.get("actor_id")).isEqualTo("auditor-1");
        });

        String base = "/audit/v1/checkpoints/consistency";
        Api.Response reversed = api.get(base + "?from=" + second.treeSize() + "&to=" + first.treeSize());
        assertThat(reversed.status()).isEqualTo(400);
        assertThat(reversed.json().get("scimType").asText()).isEqualTo("invalidValue");
        assertThat(api.get(base + "?from=x&to=1").status()).isEqualTo(400);
        assertThat(api.get(base + "?to=" + second.treeSize()).status()).isEqualTo(400);
        assertThat(api.get(base + "?from=" + first.treeSize() + "&to=" + (second.treeSize() + 1_000_000)).status())
                .isEqualTo(404);
        assertThat(api.withToken(SCIM_TOKEN).get(base + "?from=" + first.treeSize() + "&to=" + second.treeSize())
                .status()).isEqualTo(403);
    }

    /** Checkpoints page like events: every one exactly once, in order, either way. */
    @Test
    void checkpointsArePagedWithACursor() {
        for (int i = 0; i < 3; i++) {
            api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("cp")));
            checkpointer.checkpointNow();
        }
        List<Long> stored = jdbc.queryForList("select tree_size from audit_checkpoint order by tree_size", Long.class);
        assertThat(stored.size()).isGreaterThanOrEqualTo(3);
        for (String order : new String[] {"asc", "desc"}) {
            List<Long> seen = new ArrayList<>();
            String cursor = null;
            do {
                JsonNode page = api.withToken(AUDITOR_TOKEN).get("/audit/v1/checkpoints?limit=2&order=" + order
                        + (cursor == null ? "" : "&cursor=" + cursor)).json();
                assertThat(page.get("checkpoints").size()).isLessThanOrEqualTo(2).isEqualTo(page.get("count").asInt());
                page.get("checkpoints").forEach(c -> seen.add(c.get("treeSize").asLong()));
                cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            } while (cursor != null);
            List<Long> expected = new ArrayList<>(stored);
            if (order.equals("desc")) {
                java.util.Collections.reverse(expected);
            }
            assertThat(seen).as(order).isEqualTo(expected);
        }
        JsonNode latest = api.get("/audit/v1/checkpoints?order=desc&limit=1").json().get("checkpoints");
        assertThat(latest).hasSize(1);
        assertThat(latest.get(0).get("treeSize").asLong()).isEqualTo(stored.get(stored.size() - 1));
        assertThat(api.get("/audit/v1/checkpoints?order=sideways").status()).isEqualTo(400);
        assertThat(api.get("/audit/v1/checkpoints?cursor=nonsense").status()).isEqualTo(400);
        assertThat(api.get("/audit/v1/checkpoints?limit=0").status()).isEqualTo(400);
    }

    @Test
    void timelineJoinsEverythingAboutOnePersonInOrder() {
        String name = Fixtures.unique("timeline");
        String id = api.post("/scim/v2/Users", Fixtures.user(name)).json().get("id").asText();
        api.patch("/scim/v2/Users/" + id, Fixtures.patch("[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]"));
        api.delete("/scim/v2/Users/" + id);

        for (String who : new String[] {id, name, "ext-" + name}) {
            JsonNode t = api.withToken(AUDITOR_TOKEN).get("/audit/v1/subjects/" + who + "/timeline").json();
            assertThat(t.at("/subject/id").asText()).isEqualTo(id);
            List<String> actions = t.get("events").findValuesAsText("action");
            assertThat(actions).containsSubsequence("scim.user.create", "scim.user.patch", "scim.user.delete");
        }
        assertThat(api.get("/audit/v1/subjects/nobody-" + name + "/timeline").status()).isEqualTo(404);
    }

    @Test
    void hourlyStatsCountByChannelAndOutcome() {
        // The denied call's record is written by the records lane a moment later: wait for it first.
        org.scimflow.scim.AuditAwait.record(jdbc, api.withToken(null).get("/scim/v2/Users").header("X-Request-Id"),
                row -> assertThat(row.get("outcome")).isEqualTo("denied"));
        JsonNode stats = api.get("/audit/v1/stats/hourly").json();
        assertThat(stats.get("buckets")).isNotEmpty();
        long denied = 0;
        for (JsonNode b : stats.get("buckets")) {
            if (b.get("outcome").asText().equals("denied")) {
                denied += b.get("count").asLong();
            }
        }
        assertThat(denied).isPositive();
    }

    @Test
    void aSignedExportVerifiesOfflineAndAnEditedOneDoesNot() throws Exception {
        String id = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("offline"))).json().get("id").asText();
        api.patch("/scim/v2/Users/" + id, Fixtures.patch("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}]"));

        String full = api.get("/audit/v1/export?format=ndjson").raw();
        String filtered = api.get("/audit/v1/export?format=ndjson&subject=" + id).raw();

        ExportVerifier offline = new ExportVerifier(SigningKeys.publicOnly(DATA_DIR.resolve("keys")));
        ExportVerifier.Result ok = offline.verify(new ByteArrayInputStream(full.getBytes(StandardCharsets.UTF_8)));
        assertThat(ok.findings()).isEmpty();
        assertThat(ok.intact()).isTrue();
        assertThat(offline.verify(new ByteArrayInputStream(filtered.getBytes(StandardCharsets.UTF_8))).intact()).isTrue();

        String edited = filtered.replaceFirst("\"outcome\":\"success\"", "\"outcome\":\"failure\"");
        ExportVerifier.Result bad = offline.verify(new ByteArrayInputStream(edited.getBytes(StandardCharsets.UTF_8)));
        assertThat(bad.findings()).extracting(AuditVerifier.Finding::kind).contains("HASH_MISMATCH");

        String[] lines = full.split("\n");
        String cut = String.join("\n", java.util.Arrays.copyOfRange(lines, 0, lines.length - 2)) + "\n" + lines[lines.length - 1] + "\n";
        assertThat(offline.verify(new ByteArrayInputStream(cut.getBytes(StandardCharsets.UTF_8))).findings())
                .extracting(AuditVerifier.Finding::kind).contains("TRUNCATED");

        // Read buffers smaller than a line, and a few lines long: lines cut across buffers, buffers that
        // grow, file digests made of many runs. Each must find what one large buffer finds.
        for (int chunk : new int[] {64, 1500, 4096}) {
            ExportVerifier small = new ExportVerifier(SigningKeys.publicOnly(DATA_DIR.resolve("keys")), chunk);
            ExportVerifier.Result r = small.verify(new ByteArrayInputStream(full.getBytes(StandardCharsets.UTF_8)));
            assertThat(r.findings()).as("chunk %d", chunk).isEmpty();
            assertThat(r.records()).as("chunk %d", chunk).isEqualTo(ok.records());
            assertThat(small.verify(new ByteArrayInputStream(edited.getBytes(StandardCharsets.UTF_8))).findings())
                    .as("chunk %d", chunk).isEqualTo(bad.findings());
            assertThat(small.verify(new ByteArrayInputStream(cut.getBytes(StandardCharsets.UTF_8))).findings())
                    .as("chunk %d", chunk).extracting(AuditVerifier.Finding::kind).contains("TRUNCATED");
            assertThat(small.verify(new ByteArrayInputStream(full.substring(0, full.length() - 1)
                    .getBytes(StandardCharsets.UTF_8))).findings())
                    .as("chunk %d", chunk).extracting(AuditVerifier.Finding::detail)
                    .contains("the file ends in the middle of a line");
        }

        // The command line does the same from a file, and says what the file covers.
        Path file = Files.createTempFile(DATA_DIR, "export", ".ndjson");
        Files.writeString(file, full);
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        int code = new AuditCli(new java.io.PrintStream(said, true), System.err)
                .run(new String[] {"audit", "verify-export", file.toString(), "--keys", DATA_DIR.resolve("keys").toString()});
        assertThat(code).isZero();
        assertThat(said.toString()).contains("INTACT").contains("every record in that range");

        // An export after a cursor leaves out the records before it: intact, but not the whole log, and the
        // signed manifest and the command line say so.
        String cursor = api.get("/audit/v1/events?limit=1").json().get("nextCursor").asText();
        String after = api.get("/audit/v1/export?format=ndjson&cursor=" + cursor).raw();
        Files.writeString(file, after);
        said.reset();
        assertThat(new AuditCli(new java.io.PrintStream(said, true), System.err)
                .run(new String[] {"audit", "verify-export", file.toString(), "--keys", DATA_DIR.resolve("keys").toString()}))
                .isZero();
        assertThat(said.toString()).contains("INTACT").contains("only the records matching {\"afterSeq\":");
        Files.writeString(file, edited);
        assertThat(new AuditCli(new java.io.PrintStream(new java.io.ByteArrayOutputStream()), System.err)
                .run(new String[] {"audit", "verify-export", file.toString(), "--keys", DATA_DIR.resolve("keys").toString()}))
                .isEqualTo(1);
    }

    @Autowired
    org.apache.camel.CamelContext camel;

    /**
     * An export flows from the database cursor to the socket: no step of the route or of its audit tap
     * may buffer the stream (Camel's stream caching would hold the whole export in memory, and a
     * million-record export ran the hub out of heap before its first byte was sent).
     */
    @Test
    void anExportIsStreamedNotBuffered() {
        for (int i = 0; i < 5; i++) {
            api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("stream")));
        }
        var stats = camel.getStreamCachingStrategy().getStatistics();
        boolean was = stats.isStatisticsEnabled();
        stats.setStatisticsEnabled(true);
        stats.reset();
        try {
            String export = api.get("/audit/v1/export?format=ndjson").raw();
            assertThat(export.length()).isGreaterThan(2000);
            assertThat(stats.getCacheMemorySize() + stats.getCacheSpoolSize())
                    .as("bytes of the export held by stream caches").isLessThan(export.length() / 2);
        } finally {
            stats.setStatisticsEnabled(was);
        }
    }

    @Autowired
    AuditStore auditStore;
    @Autowired
    AuditRecordCodec auditCodec;

    /** Export lines are written from column values; each must be exactly the codec's canonical line. */
    @Test
    void exportLinesAreTheCanonicalRecordsByteForByte() {
        String id = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("bytes"))).json().get("id").asText();
        api.patch("/scim/v2/Users/" + id, Fixtures.patch("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Zoë \\\"q\\\" 1.50\"}]"));
        String export = api.get("/audit/v1/export?format=ndjson").raw();
        String[] lines = export.split("\n");
        int compared = 0;
        for (String line : lines) {
            if (line.startsWith("{\"" + ExportManifest.KEY)) {
                continue;
            }
            java.util.UUID eventId = java.util.UUID.fromString(
                    line.replaceAll(".*\"eventId\":\"([0-9a-f-]{36})\".*", "$1"));
            AuditEvent e = auditStore.byEventId(eventId).orElseThrow();
            assertThat(line + "\n").isEqualTo(new String(auditCodec.exportLine(e), StandardCharsets.UTF_8));
            compared++;
        }
        assertThat(compared).isGreaterThan(2);
    }
}
