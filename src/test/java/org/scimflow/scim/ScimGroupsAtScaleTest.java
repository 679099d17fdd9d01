package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;

/**
 * Large groups: a member-only PATCH inserts or deletes one membership row and reads none of the others;
 * excludedAttributes=members reads no membership row; nested groups give users indirect groups.
 */
class ScimGroupsAtScaleTest extends HubTest {

    private static final int SIZE = 5000;
    /**
     * Reading the group's rows would read SIZE of them. A backend that went idle may report its reads up
     * to ~10 s late (PostgreSQL batches statistics), so a few rows from earlier small calls may land in a
     * window: the bound is far below SIZE, not zero. No call in this class reads a large group's rows.
     */
    private static final int FEW = SIZE / 50;

    /** A group with SIZE membership rows written straight to the table (their ids need not resolve). */
    private String bigGroup() {
        String id = api.post("/scim/v2/Groups", Fixtures.group(Fixtures.unique("big"))).json().get("id").asText();
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            rows.add(new Object[] {UUID.fromString(id), UUID.randomUUID()});
        }
        jdbc.batchUpdate("insert into scim_group_member (group_id, member_id, member_type) values (?, ?, 'User')", rows);
        return id;
    }

    /** Rows of scim_group_member read, inserted and deleted so far, per the server's statistics. */
    private long[] memberTableStats() {
        return jdbc.queryForObject("select coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0), n_tup_ins, n_tup_del "
                        + "from pg_stat_user_tables where relname = 'scim_group_member'",
                (rs, i) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)});
    }

    @Test
    void addingOrRemovingOneMemberTouchesOneMembershipRow() {
        String group = bigGroup();
        String user = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("joiner"))).json().get("id").asText();
        long[] before = awaitStableStats();

        Api.Response add = api.patch("/scim/v2/Groups/" + group, Fixtures.patch(
                "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + user + "\",\"display\":\"x\"}]}]"));
        assertThat(add.status()).isEqualTo(204);
        assertThat(add.header("ETag")).isEqualTo("W/\"2\"");
        long[] afterAdd = awaitStats(before[1] + 1, before[2]);
        assertThat(isMember(group, user)).isTrue();
        assertThat(afterAdd[0] - before[0]).as("membership rows read by the add").isLessThan(FEW);

        Api.Response remove = api.patch("/scim/v2/Groups/" + group, Fixtures.patch(
                "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + user + "\\\"]\"}]"));
        assertThat(remove.status()).isEqualTo(204);
        long[] afterRemove = awaitStats(afterAdd[1], afterAdd[2] + 1);
        assertThat(isMember(group, user)).isFalse();
        assertThat(afterRemove[0] - afterAdd[0]).as("membership rows read by the remove").isLessThan(FEW);

        // The audit record names exactly the changed member.
        AuditAwait.record(jdbc, add.header("X-Request-Id"), row -> assertThat(row.get("changes").toString())
                .contains(user).contains("added"));
    }

    @Test
    void excludingMembersReadsNoMembershipRow() {
        String group = bigGroup();
        long[] before = awaitStableStats();

        Api.Response r = api.get("/scim/v2/Groups/" + group + "?excludedAttributes=members");
        Api.Response list = api.get("/scim/v2/Groups?excludedAttributes=members&filter="
                + Api.q("id eq \"" + group + "\""));
        // A write flushes this backend's statistics with the reads before it.
        api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("flush")));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().has("members")).isFalse();
        assertThat(list.json().at("/Resources/0").has("members")).isFalse();
        Awaitility.await().pollDelay(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(memberTableStats()[0] - before[0]).isLessThan(FEW));
    }

    @Test
    void mixedPatchesStillWorkOnTheGeneralPath() {
        String a = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("mix"))).json().get("id").asText();
        String group = api.post("/scim/v2/Groups", Fixtures.group(Fixtures.unique("mixed"))).json().get("id").asText();

        Api.Response r = api.patch("/scim/v2/Groups/" + group, Fixtures.patch(
                "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Renamed\"},"
                        + "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + a + "\"}]}]"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("displayName").asText()).isEqualTo("Renamed");
        assertThat(r.json().get("members")).hasSize(1);
        Api.Response ghost = api.patch("/scim/v2/Groups/" + group, Fixtures.patch(
                "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + UUID.randomUUID() + "\"}]}]"));
        assertThat(ghost.status()).isEqualTo(400);
        assertThat(ghost.json().get("scimType").asText()).isEqualTo("invalidValue");
        Api.Response self = api.patch("/scim/v2/Groups/" + group, Fixtures.patch(
                "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + group + "\"}]}]"));
        assertThat(self.status()).isEqualTo(400);
        Api.Response wrongType = api.patch("/scim/v2/Groups/" + group, Fixtures.patch(
                "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + a + "\",\"type\":\"Group\"}]}]"));
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(api.get("/scim/v2/Groups/" + group).header("ETag")).as("failed patches change nothing")
                .isEqualTo("W/\"2\"");
        Api.Response withBody = api.patch("/scim/v2/Groups/" + group + "?excludedAttributes=members", Fixtures.patch(
                "[{\"op\":\"remove\",\"path\":\"members\",\"value\":[{\"value\":\"" + a + "\"}]}]"));
        assertThat(withBody.status()).as("asked for attributes: 200 with the resource").isEqualTo(200);
        assertThat(withBody.json().get("displayName").asText()).isEqualTo("Renamed");
    }

    @Test
    void nestedGroupsGiveIndirectGroups() {
        String user = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("nested"))).json().get("id").asText();
        String inner = api.post("/scim/v2/Groups", Fixtures.group(Fixtures.unique("inner"), user)).json().get("id").asText();
        String outer = api.post("/scim/v2/Groups", Fixtures.group(Fixtures.unique("outer"), inner)).json().get("id").asText();
        String top = api.post("/scim/v2/Groups", Fixtures.group(Fixtures.unique("top"), outer)).json().get("id").asText();

        JsonNode groups = api.get("/scim/v2/Users/" + user).json().get("groups");
        assertThat(groups).hasSize(3);
        Map<String, String> typeById = new java.util.HashMap<>();
        groups.forEach(g -> typeById.put(g.get("value").asText(), g.get("type").asText()));
        assertThat(typeById).containsEntry(inner, "direct").containsEntry(outer, "indirect").containsEntry(top, "indirect");
        assertThat(groups.get(0).get("value").asText()).as("direct groups first").isEqualTo(inner);
        assertThat(groups.get(0).get("display").asText()).startsWith("inner-");
        // Lists read the groups in the same statement as the users; a read by id likewise.
        JsonNode listed = api.get("/scim/v2/Users?filter=" + Api.q("id eq \"" + user + "\"")).json();
        assertThat(listed.at("/Resources/0/groups")).as("a list shows what a read by id shows").isEqualTo(groups);
        JsonNode twoUsers = api.get("/scim/v2/Users?sortBy=userName&filter=" + Api.q("id eq \"" + user + "\" or id eq \""
                + otherUser(top) + "\"")).json().get("Resources");
        assertThat(twoUsers).hasSize(2);
        twoUsers.forEach(u -> assertThat(u.get("groups")).as("each row its own groups").hasSize(
                u.get("id").asText().equals(user) ? 3 : 1));
        JsonNode outerMembers = api.get("/scim/v2/Groups/" + outer).json().get("members");
        assertThat(outerMembers.at("/0/type").asText()).isEqualTo("Group");
        assertThat(outerMembers.at("/0/$ref").asText()).endsWith("/scim/v2/Groups/" + inner);

        // A cycle does not loop: top joins inner.
        api.patch("/scim/v2/Groups/" + inner, Fixtures.patch(
                "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + top + "\"}]}]"));
        assertThat(api.get("/scim/v2/Users/" + user).json().get("groups")).hasSize(3);
        assertThat(api.get("/scim/v2/Users/" + user + "?excludedAttributes=groups").json().has("groups")).isFalse();
    }

    /** A user made a direct member of the group only (so it has one group, where the test's user has three). */
    private String otherUser(String group) {
        String other = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("zz-other"))).json().get("id").asText();
        api.patch("/scim/v2/Groups/" + group, Fixtures.patch(
                "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + other + "\"}]}]"));
        return other;
    }

    /** Membership through the API, which reads at most the one row (primary key lookup). */
    private boolean isMember(String group, String user) {
        return api.get("/scim/v2/Groups?count=0&filter=" + Api.q("id eq \"" + group + "\" and members[value eq \"" + user
                + "\"]")).json().get("totalResults").asInt() == 1;
    }

    private long[] awaitStableStats() {
        // An idle backend keeps its pending statistics for up to ten seconds (PostgreSQL's idle stats
        // interval), so reads from an earlier test could land inside this one's window. A backend that
        // exits flushes them: close the pool's idle connections first.
        try {
            jdbc.getDataSource().unwrap(com.zaxxer.hikari.HikariDataSource.class).getHikariPoolMXBean()
                    .softEvictConnections();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        // Statistics reach the shared view within about a second of a backend's last transaction.
        long[][] last = {memberTableStats()};
        Awaitility.await().pollDelay(Duration.ofMillis(1100)).pollInterval(Duration.ofMillis(1100))
                .atMost(Duration.ofSeconds(10)).until(() -> {
                    long[] now = memberTableStats();
                    boolean same = java.util.Arrays.equals(now, last[0]);
                    last[0] = now;
                    return same;
                });
        return last[0];
    }

    /**
     * Waits for the statistics to count the given rows. A backend that flushed its statistics less than
     * a second before going idle sends the next ones up to ten seconds later (PostgreSQL's idle stats
     * interval), so this waits well past that.
     */
    private long[] awaitStats(long inserted, long deleted) {
        long[][] out = new long[1][];
        Awaitility.await().atMost(Duration.ofSeconds(25)).untilAsserted(() -> {
            out[0] = memberTableStats();
            assertThat(out[0][1]).isGreaterThanOrEqualTo(inserted);
            assertThat(out[0][2]).isGreaterThanOrEqualTo(deleted);
        });
        return out[0];
    }
}
