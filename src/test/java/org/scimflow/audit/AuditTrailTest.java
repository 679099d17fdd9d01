package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.scimflow.scim.AuditAwait;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;

/** Every exchange leaves its record, queryable within a second, through the audit API and export. */
class AuditTrailTest extends HubTest {

    @Autowired
    AuditVerifier verifier;

    @Test
    void aWriteIsAuditedWithSubjectActorChangesAndCorrelationId() {
        String name = Fixtures.unique("audited");
        Api.Response r = api.send("POST", "/scim/v2/Users", Fixtures.user(name), "application/scim+json",
                Map.of("X-Request-Id", "req-" + name, "User-Agent", "Okta SCIM Client 1.0"));
        assertThat(r.header("X-Request-Id")).isEqualTo("req-" + name);
        String id = r.json().get("id").asText();

        // Committed with the write: present the moment the response arrives, in the inbox or already linked
        // into the log (both counted in one statement, so one snapshot).
        assertThat(jdbc.queryForObject("select (select count(*) from audit_inbox where correlation_id = ?) "
                + "+ (select count(*) from audit_event where correlation_id = ?)", Long.class, "req-" + name, "req-" + name))
                .isEqualTo(1);
        auditLinked();
        Map<String, Object> row = jdbc.queryForMap("select * from audit_event where correlation_id = ?", "req-" + name);
        assertThat(row).containsEntry("action", "scim.user.create").containsEntry("outcome", "success")
                .containsEntry("channel", "scim-in").containsEntry("actor_id", "bootstrap")
                .containsEntry("actor_type", "client").containsEntry("actor_user_agent", "Okta SCIM Client 1.0")
                .containsEntry("subject_type", "User").containsEntry("subject_id", id)
                .containsEntry("subject_name", name).containsEntry("subject_external_id", "ext-" + name)
                .containsEntry("http_method", "POST").containsEntry("http_status", 201);
        assertThat(row.get("actor_ip")).isEqualTo("127.0.0.1");
        assertThat(row.get("changes").toString()).contains("userName").contains(name);
    }

    @Test
    void readsAndRejectedCallsAreAuditedToo() {
        String id = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("reader")))
                .json().get("id").asText();

        Api.Response read = api.get("/scim/v2/Users/" + id);
        AuditAwait.record(jdbc, read.header("X-Request-Id"), row -> {
            assertThat(row.get("action")).isEqualTo("scim.user.read");
            assertThat(row.get("subject_id")).isEqualTo(id);
            assertThat(row.get("outcome")).isEqualTo("success");
        });

        Api.Response anonymous = api.withToken(null).get("/scim/v2/Users/" + id);
        assertThat(anonymous.status()).isEqualTo(401);
        AuditAwait.record(jdbc, anonymous.header("X-Request-Id"), row -> {
            assertThat(row.get("outcome")).isEqualTo("denied");
            assertThat(row.get("http_status")).isEqualTo(401);
            assertThat(row.get("actor_type")).isEqualTo("anonymous");
        });

        Api.Response wrongToken = api.withToken("not-a-token").get("/scim/v2/Users");
        assertThat(wrongToken.status()).isEqualTo(401);
        AuditAwait.record(jdbc, wrongToken.header("X-Request-Id"), row -> assertThat(row.get("outcome")).isEqualTo("denied"));

        Api.Response conflict = api.post("/scim/v2/Users", Fixtures.user("reader-dup"));
        Api.Response conflict2 = api.post("/scim/v2/Users", Fixtures.user("reader-dup"));
        assertThat(conflict2.status()).isEqualTo(409);
        AuditAwait.record(jdbc, conflict2.header("X-Request-Id"), row -> {
            assertThat(row.get("outcome")).isEqualTo("failure");
            assertThat(row.get("scim_type")).isEqualTo("uniqueness");
        });
        assertThat(conflict.status()).isIn(201, 409);
    }

    @Test
    void aClientWithoutTheRoleIsDeniedAndAudited() {
        Api.Response auditorOnScim = api.withToken(AUDITOR_TOKEN).get("/scim/v2/Users");
        assertThat(auditorOnScim.status()).isEqualTo(403);
        AuditAwait.record(jdbc, auditorOnScim.header("X-Request-Id"), row -> {
            assertThat(row.get("outcome")).isEqualTo("denied");
            assertThat(row.get("actor_id")).isEqualTo("auditor-1");
            assertThat(row.get("http_status")).isEqualTo(403);
        });
        Api.Response scimOnAudit = api.withToken(SCIM_TOKEN).get("/audit/v1/events");
        assertThat(scimOnAudit.status()).isEqualTo(403);
        AuditAwait.record(jdbc, scimOnAudit.header("X-Request-Id"), row -> {
            assertThat(row.get("actor_id")).isEqualTo("idp-1");
            assertThat(row.get("channel")).isEqualTo("audit-read");
        });
        assertThat(api.withToken(AUDITOR_TOKEN).get("/audit/v1/events?limit=1").status()).isEqualTo(200);
        assertThat(api.withToken(SCIM_TOKEN).get("/actuator/prometheus").status()).isEqualTo(403);

        Api.Response unknown = api.get("/no/such/path");
        assertThat(unknown.status()).isEqualTo(404);
        AuditAwait.record(jdbc, unknown.header("X-Request-Id"), row -> {
            assertThat(row.get("outcome")).isEqualTo("failure");
            assertThat(row.get("http_status")).isEqualTo(404);
        });
    }

    @Test
    void queryFiltersAndCursorPaginationReturnEveryRecordOnce() {
        String name = Fixtures.unique("paged");
        String id = api.post("/scim/v2/Users", Fixtures.user(name)).json().get("id").asText();
        for (int i = 0; i < 7; i++) {
            api.get("/scim/v2/Users/" + id);
        }
        AuditAwait.record(jdbc, api.get("/scim/v2/Users/" + id).header("X-Request-Id"), row -> { });

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Api.Response page = api.get("/audit/v1/events?subject=" + id + "&limit=3"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).isEqualTo(200);
            page.json().get("events").forEach(e -> seen.add(e.get("eventId").asText()));
            cursor = page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);

        assertThat(seen).hasSize(9).doesNotHaveDuplicates();
        assertThat(pages).isEqualTo(3);
        Api.Response creates = api.get("/audit/v1/events?subject=" + name + "&action=scim.user.create&outcome=success");
        assertThat(creates.json().get("events")).hasSize(1);
        assertThat(creates.json().at("/events/0/subject/id").asText()).isEqualTo(id);
        Api.Response byActor = api.get("/audit/v1/events?actor=bootstrap&subject=" + id + "&order=desc&limit=1");
        assertThat(byActor.json().at("/events/0/action").asText()).isEqualTo("scim.user.read");
        Api.Response none = api.get("/audit/v1/events?subject=" + id + "&from=2999-01-01T00:00:00Z");
        assertThat(none.json().get("events")).isEmpty();
        assertThat(api.get("/audit/v1/events?from=yesterday").status()).isEqualTo(400);
    }

    @Autowired
    AuditStore store;

    /** The binary search for a page's starting seq agrees with the plain minimum over chain_time. */
    @Test
    void theFirstSeqAtOrAfterATimeIsTheOneThePlainQueryFinds() {
        for (int i = 0; i < 5; i++) {
            api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("chain-time")));
        }
        List<java.sql.Timestamp> times = jdbc.queryForList(
                "select chain_time from audit_event order by seq desc limit 60", java.sql.Timestamp.class);
        List<java.time.Instant> probes = new ArrayList<>();
        times.forEach(t -> {
            probes.add(t.toInstant());
            probes.add(t.toInstant().plusNanos(1000));
            probes.add(t.toInstant().minusNanos(1000));
        });
        probes.add(java.time.Instant.parse("2000-01-01T00:00:00Z"));
        probes.add(java.time.Instant.parse("2999-01-01T00:00:00Z"));
        for (java.time.Instant t : probes) {
            Long expected = jdbc.queryForObject("select min(seq) from audit_event where chain_time >= ?", Long.class,
                    java.sql.Timestamp.from(t));
            assertThat(store.firstSeqAtOrAfter(t)).as("first seq at or after %s", t).isEqualTo(expected);
        }
    }

    /**
     * A page with a from bound starts its seq-ordered scan at the first record stored at that time or
     * later; it must return exactly what the plain condition on event_time returns, from any point.
     */
    @Test
    void aTimeWindowReturnsWhatThePlainConditionReturns() {
        for (int i = 0; i < 45; i++) {
            api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("window")));
        }
        List<java.sql.Timestamp> times = jdbc.queryForList(
                "select event_time from audit_event order by seq desc limit 40", java.sql.Timestamp.class);
        // At least 30 records follow each starting point, so records written meanwhile fall after the page.
        for (int k : new int[] {30, 34, 39}) {
            java.time.Instant from = times.get(k).toInstant();
            List<Long> expected = jdbc.queryForList(
                    "select seq from audit_event where event_time >= ? order by seq limit 30", Long.class,
                    java.sql.Timestamp.from(from));
            List<Long> got = new ArrayList<>();
            api.get("/audit/v1/events?limit=30&from=" + from).json().get("events")
                    .forEach(e -> got.add(e.get("seq").asLong()));
            assertThat(got).as("from %s", from).isEqualTo(expected);
        }
    }

    @Test
    void cursorNeverSkipsUnderConcurrentWriters() throws Exception {
        String marker = Fixtures.unique("concurrent");
        // Where paging starts: read before any writer runs, or a create that commits first lies behind it.
        long start = jdbc.queryForObject("select coalesce(max(seq),0) from audit_event", Long.class);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<String>> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int n = i;
            ids.add(pool.submit(() -> api.post("/scim/v2/Users", Fixtures.user(marker + "-" + n))
                    .json().get("id").asText()));
        }
        // Page through the audit trail while the writers run.
        Set<Long> seen = new HashSet<>();
        long last = 0;
        String cursor = null;
        long lastSeq = start;
        while (true) {
            Api.Response page = api.get("/audit/v1/events?action=scim.user.create&limit=5"
                    + "&cursor=" + (cursor == null ? AuditQuery.encodeCursor(start) : cursor));
            for (JsonNode e : page.json().get("events")) {
                long seq = e.get("seq").asLong();
                assertThat(seq).isGreaterThan(lastSeq);
                lastSeq = seq;
                assertThat(seen.add(seq)).isTrue();
            }
            if (!page.json().get("nextCursor").isNull()) {
                cursor = page.json().get("nextCursor").asText();
            } else if (allDone(ids)) {
                // One more pass after the writers finished picks up anything committed since.
                Api.Response tail = api.get("/audit/v1/events?action=scim.user.create&limit=1000&cursor="
                        + AuditQuery.encodeCursor(lastSeq));
                tail.json().get("events").forEach(e -> assertThat(seen.add(e.get("seq").asLong())).isTrue());
                break;
            } else {
                cursor = AuditQuery.encodeCursor(lastSeq);
            }
            last++;
        }
        pool.shutdown();
        Set<String> created = new HashSet<>();
        for (Future<String> f : ids) {
            created.add(f.get());
        }
        List<String> audited = jdbc.queryForList("select subject_id from audit_event where action = 'scim.user.create' "
                + "and subject_name like ? and seq = any(?)", String.class, marker + "-%", seen.toArray(new Long[0]));
        assertThat(new HashSet<>(audited)).isEqualTo(created);
        assertThat(last).isPositive();
    }

    private static boolean allDone(List<Future<String>> fs) {
        return fs.stream().allMatch(Future::isDone);
    }

    @Test
    void ndjsonExportStreamsTheRecordsAndTheChainVerifies() throws Exception {
        String name = Fixtures.unique("exported");
        String id = api.post("/scim/v2/Users", Fixtures.user(name)).json().get("id").asText();
        api.patch("/scim/v2/Users/" + id, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Exported\"}]}");

        Api.Response export = api.get("/audit/v1/export?format=ndjson&subject=" + id);

        assertThat(export.status()).isEqualTo(200);
        assertThat(export.header("Content-Type")).startsWith("application/x-ndjson");
        String[] lines = export.raw().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[2]).startsWith("{\"scimflowExportManifest\"");
        JsonNode first = mapper.readTree(lines[0]);
        JsonNode second = mapper.readTree(lines[1]);
        assertThat(first.get("action").asText()).isEqualTo("scim.user.create");
        assertThat(second.get("action").asText()).isEqualTo("scim.user.patch");
        assertThat(second.toString()).contains("Exported");
        assertThat(first.get("recordHash").asText()).hasSize(64);

        Api.Response csv = api.get("/audit/v1/export?format=csv&subject=" + id);
        assertThat(csv.raw().split("\r\n")).hasSize(4);
        assertThat(csv.raw()).startsWith("seq,eventId,eventTime");

        AuditVerifier.Result result = verifier.verify();
        assertThat(result.findings()).isEmpty();
        assertThat(result.checked()).isGreaterThan(2);
    }

    /** What callers send lands in CSV cells; a spreadsheet must not take any of it for a formula. */
    @Test
    void csvCellsThatASpreadsheetWouldRunAreText() throws Exception {
        String name = Fixtures.unique("=SUM(A1:A9)");
        String id = api.post("/scim/v2/Users", Fixtures.user(name)).json().get("id").asText();

        Api.Response csv = api.get("/audit/v1/export?format=csv&subject=" + id);

        String row = csv.raw().split("\r\n")[1];
        assertThat(row).contains(",\"'" + name.replace("\"", "\"\"") + "\",");
        assertThat(row.split(",")).noneMatch(cell -> !cell.isEmpty() && "=+-@".indexOf(cell.charAt(0)) >= 0);
        assertThat(mapper.readTree(api.get("/audit/v1/export?format=ndjson&subject=" + id).raw().split("\n")[0])
                .at("/subject/name").asText()).isEqualTo(name);
    }

    @Test
    void readsOfTheAuditStoreAreAuditedThemselves() {
        Api.Response q = api.get("/audit/v1/events?limit=1");
        AuditAwait.record(jdbc, q.header("X-Request-Id"), row -> {
            assertThat(row.get("channel")).isEqualTo("audit-read");
            assertThat(row.get("action")).isEqualTo("audit.events.query");
        });
    }
}
