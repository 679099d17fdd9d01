package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;

/** POST /Bulk over HTTP: bulkId references, failOnErrors, limits, and one audit record per operation. */
class ScimBulkTest extends HubTest {

    private static String bulk(String failOnErrors, String... operations) {
        return "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"]"
                + (failOnErrors == null ? "" : ",\"failOnErrors\":" + failOnErrors)
                + ",\"Operations\":[" + String.join(",", operations) + "]}";
    }

    private static String post(String bulkId, String path, String data) {
        return "{\"method\":\"POST\",\"bulkId\":\"" + bulkId + "\",\"path\":\"" + path + "\",\"data\":" + data + "}";
    }

    private static String userData(String userName) {
        return "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + userName + "\"}";
    }

    @Test
    void createsUsersAndAGroupThatRefersToThemByBulkIdInAnyOrder() {
        String a = Fixtures.unique("bulk-a");
        String b = Fixtures.unique("bulk-b");
        String group = Fixtures.unique("bulk-group");
        // The group comes first and names members created later in the same request.
        Api.Response r = api.post("/scim/v2/Bulk", bulk(null,
                post("g1", "/Groups", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\""
                        + group + "\",\"members\":[{\"value\":\"bulkId:u1\",\"type\":\"User\"},{\"value\":\"bulkId:u2\"}]}"),
                post("u1", "/Users", userData(a)),
                post("u2", "/Users", userData(b))));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().at("/schemas/0").asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:BulkResponse");
        JsonNode ops = r.json().get("Operations");
        assertThat(ops).hasSize(3);
        for (JsonNode op : ops) {
            assertThat(op.get("status").asText()).as(op.toString()).isEqualTo("201");
            assertThat(op.get("location").asText()).startsWith(api.base() + "/scim/v2/");
            assertThat(op.get("version").asText()).isEqualTo("W/\"1\"");
        }
        String groupId = jdbc.queryForObject("select id::text from scim_group where display_name = ?", String.class, group);
        assertThat(ops.findValuesAsText("location")).contains(api.base() + "/scim/v2/Groups/" + groupId);
        assertThat(jdbc.queryForList("select u.user_name from scim_group_member m join scim_user u on u.id = m.member_id "
                + "where m.group_id = ?::uuid", String.class, groupId)).containsExactlyInAnyOrder(a, b);

        // Each operation committed its own record under the bulk request's correlation id, plus one for the call.
        String correlation = r.header("X-Request-Id");
        Awaitility.await().untilAsserted(() -> assertThat(jdbc.queryForList(
                "select action from audit_event where correlation_id = ? order by seq", String.class, correlation))
                .containsExactlyInAnyOrder("scim.user.create", "scim.user.create", "scim.group.create", "scim.bulk"));
        assertThat(jdbc.queryForList("select http_method || ' ' || http_path from audit_event where correlation_id = ? "
                + "and action = 'scim.group.create'", String.class, correlation)).containsExactly("POST /scim/v2/Groups");
    }

    @Test
    void putPatchAndDeleteWithVersionsAndBulkIdPaths() {
        String name = Fixtures.unique("bulk-upd");
        Api.Response r = api.post("/scim/v2/Bulk", bulk(null,
                post("u", "/Users", userData(name)),
                "{\"method\":\"PATCH\",\"path\":\"/Users/bulkId:u\",\"version\":\"W/\\\"1\\\"\",\"data\":"
                        + Fixtures.patch("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Engineer\"}]") + "}",
                "{\"method\":\"PUT\",\"path\":\"/Users/bulkId:u\",\"version\":\"W/\\\"9\\\"\",\"data\":" + userData(name) + "}"));

        JsonNode ops = r.json().get("Operations");
        assertThat(ops.get(1).get("status").asText()).isEqualTo("200");
        assertThat(ops.get(1).get("version").asText()).isEqualTo("W/\"2\"");
        assertThat(ops.get(2).get("status").asText()).as("stale version").isEqualTo("412");
        String id = ops.get(0).get("location").asText().replaceAll(".*/", "");
        assertThat(api.get("/scim/v2/Users/" + id).json().get("title").asText()).isEqualTo("Engineer");

        Api.Response del = api.post("/scim/v2/Bulk", bulk(null,
                "{\"method\":\"DELETE\",\"path\":\"/Users/" + id + "\"}"));
        assertThat(del.json().at("/Operations/0/status").asText()).isEqualTo("204");
        assertThat(jdbc.queryForObject("select count(*) from scim_user where id = ?::uuid", Long.class, id)).isZero();
    }

    @Test
    void failOnErrorsStopsTheRunAndFailedOperationsChangeNothing() {
        String ok = Fixtures.unique("bulk-ok");
        String never = Fixtures.unique("bulk-never");
        Api.Response r = api.post("/scim/v2/Bulk", bulk("1",
                post("bad", "/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"]}"),
                post("later", "/Users", userData(never))));

        JsonNode ops = r.json().get("Operations");
        assertThat(ops).hasSize(1);
        assertThat(ops.at("/0/status").asText()).isEqualTo("400");
        assertThat(ops.at("/0/response/scimType").asText()).isEqualTo("invalidValue");
        assertThat(jdbc.queryForObject("select count(*) from scim_user where user_name = ?", Long.class, never)).isZero();

        Api.Response all = api.post("/scim/v2/Bulk", bulk(null,
                post("dup1", "/Users", userData(ok)), post("dup2", "/Users", userData(ok))));
        assertThat(all.json().at("/Operations/0/status").asText()).isEqualTo("201");
        assertThat(all.json().at("/Operations/1/status").asText()).isEqualTo("409");
        assertThat(all.json().at("/Operations/1/response/scimType").asText()).isEqualTo("uniqueness");
    }

    @Test
    void circularAndDanglingReferencesAreRefused() {
        String g1 = Fixtures.unique("cyc1");
        String g2 = Fixtures.unique("cyc2");
        Api.Response r = api.post("/scim/v2/Bulk", bulk(null,
                post("a", "/Groups", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\""
                        + g1 + "\",\"members\":[{\"value\":\"bulkId:b\"}]}"),
                post("b", "/Groups", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\""
                        + g2 + "\",\"members\":[{\"value\":\"bulkId:a\"}]}"),
                post("c", "/Users", userData(Fixtures.unique("dangling")).replace("}", ",\"externalId\":\"bulkId:zzz\"}"))));

        JsonNode ops = r.json().get("Operations");
        assertThat(ops.get(0).get("status").asText()).isEqualTo("409");
        assertThat(ops.get(1).get("status").asText()).isEqualTo("409");
        assertThat(ops.get(0).at("/response/detail").asText()).contains("Circular");
        assertThat(ops.get(2).get("status").asText()).isEqualTo("400");
        assertThat(jdbc.queryForObject("select count(*) from scim_group where display_name in (?, ?)", Long.class, g1, g2))
                .isZero();
    }

    @Test
    void tooManyOperationsOrTooLargeAPayloadIs413() {
        List<String> ops = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            ops.add("{\"method\":\"DELETE\",\"path\":\"/Users/x" + i + "\"}");
        }
        Api.Response many = api.post("/scim/v2/Bulk", bulk(null, ops.toArray(String[]::new)));
        assertThat(many.status()).isEqualTo(413);
        assertThat(many.json().get("detail").asText()).contains("1000");

        String big = post("big", "/Users", userData("x".repeat(1_100_000)));
        assertThat(api.post("/scim/v2/Bulk", bulk(null, big)).status()).isEqualTo(413);
    }

    @Test
    void malformedBulkRequestsAre400() {
        assertThat(api.post("/scim/v2/Bulk", "{\"Operations\":[]}").json().get("scimType").asText())
                .isEqualTo("invalidSyntax");
        assertThat(api.post("/scim/v2/Bulk", bulk(null, "{\"method\":\"GET\",\"path\":\"/Users\"}")).status())
                .isEqualTo(400);
        assertThat(api.post("/scim/v2/Bulk", bulk(null, "{\"method\":\"POST\",\"path\":\"/Users\",\"data\":{}}"))
                .json().get("detail").asText()).contains("bulkId");
        assertThat(api.post("/scim/v2/Bulk", bulk("0", post("x", "/Users", userData("y")))).json().get("scimType")
                .asText()).isEqualTo("invalidValue");
        Api.Response path = api.post("/scim/v2/Bulk", bulk(null, post("p", "/Printers", "{}")));
        assertThat(path.json().at("/Operations/0/response/scimType").asText()).isEqualTo("invalidPath");
        assertThat(api.withToken(AUDITOR_TOKEN).send("POST", "/scim/v2/Bulk", bulk(null), "application/scim+json",
                Map.of()).status()).isEqualTo(403);
    }
}
