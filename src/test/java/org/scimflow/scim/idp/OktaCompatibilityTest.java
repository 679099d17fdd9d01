package org.scimflow.scim.idp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;

/**
 * Okta's SCIM 2.0 provisioning calls, replayed in the shapes Okta documents (see docs/idp-compatibility.md):
 * connection test, lookup, create, full-replace PUT, deactivation, paging, and group push.
 */
class OktaCompatibilityTest extends HubTest {

    private static final String OKTA_UA = "Okta SCIM Client 1.0.0";

    private Api.Response call(String method, String path, String body) {
        return api.send(method, path, body, body == null ? null : "application/scim+json", Map.of("User-Agent", OKTA_UA));
    }

    private JsonNode createUser(String userName) {
        Api.Response r = call("POST", "/scim/v2/Users", """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s",
             "name":{"givenName":"Test","familyName":"User"},
             "emails":[{"primary":true,"value":"%s","type":"work"}],
             "displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7",
             "groups":[],"password":"1mz050nq","active":true}""".formatted(userName, userName));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        assertThat(r.json().has("password")).isFalse();
        return r.json();
    }

    @Test
    void connectionTestAndPaging() {
        Api.Response users = call("GET", "/scim/v2/Users?startIndex=1&count=2", null);
        assertThat(users.status()).isEqualTo(200);
        assertThat(users.json().get("itemsPerPage").asInt()).isLessThanOrEqualTo(2);
        assertThat(users.json().get("startIndex").asInt()).isEqualTo(1);
        Api.Response groups = call("GET", "/scim/v2/Groups?startIndex=1&count=100", null);
        assertThat(groups.status()).isEqualTo(200);
        assertThat(groups.json().at("/schemas/0").asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:ListResponse");

        String prefix = Fixtures.unique("okpage");
        for (int i = 0; i < 3; i++) {
            createUser(prefix + "-" + i + "@okta.example");
        }
        Api.Response page = call("GET", "/scim/v2/Users?filter=" + Api.q("userName sw \"" + prefix + "\"")
                + "&startIndex=1&count=100", null);
        assertThat(page.json().get("totalResults").asInt()).isEqualTo(3);
        assertThat(page.json().get("itemsPerPage").asInt()).isEqualTo(3);
    }

    @Test
    void lookupCreateReadAndFullReplace() {
        String userName = Fixtures.unique("okta.user") + "@okta.example";
        Api.Response none = call("GET", "/scim/v2/Users?filter=" + Api.q("userName eq \"" + userName + "\"")
                + "&startIndex=1&count=100", null);
        assertThat(none.json().get("totalResults").asInt()).isZero();
        JsonNode created = createUser(userName);
        String id = created.get("id").asText();
        assertThat(call("GET", "/scim/v2/Users/" + id, null).json().get("userName").asText()).isEqualTo(userName);

        // Okta sends the whole resource back, id, groups and meta included.
        Api.Response put = call("PUT", "/scim/v2/Users/" + id, """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"%s","userName":"%s",
             "name":{"givenName":"Another","familyName":"User"},
             "emails":[{"primary":true,"value":"%s","type":"work"}],
             "displayName":"Another User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],
             "active":true,"meta":{"resourceType":"User","created":"2019-01-01T00:00:00Z"}}"""
                .formatted(id, userName, userName));

        assertThat(put.status()).as(put.raw()).isEqualTo(200);
        assertThat(put.json().at("/name/givenName").asText()).isEqualTo("Another");
        assertThat(put.json().at("/meta/created").asText()).as("read-only meta is ignored")
                .isEqualTo(created.at("/meta/created").asText());
        assertThat(put.json().at("/meta/version").asText()).isEqualTo("W/\"2\"");
        assertThat(jdbc.queryForObject("select display_name from scim_user where id = ?::uuid", String.class, id))
                .isEqualTo("Another User");
    }

    @Test
    void deactivationByPatchAndByPut() {
        JsonNode a = createUser(Fixtures.unique("okta.deact1") + "@okta.example");
        Api.Response patch = call("PATCH", "/scim/v2/Users/" + a.get("id").asText(), """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"replace","value":{"active":false}}]}""");
        assertThat(patch.status()).isEqualTo(200);
        assertThat(patch.json().get("active").asBoolean()).isFalse();

        JsonNode b = createUser(Fixtures.unique("okta.deact2") + "@okta.example");
        com.fasterxml.jackson.databind.node.ObjectNode body = b.deepCopy();
        body.put("active", false);
        Api.Response put = call("PUT", "/scim/v2/Users/" + b.get("id").asText(), body.toString());
        assertThat(put.status()).as(put.raw()).isEqualTo(200);
        assertThat(put.json().get("active").asBoolean()).isFalse();
        assertThat(jdbc.queryForList("select active from scim_user where id in (?::uuid, ?::uuid)", Boolean.class,
                a.get("id").asText(), b.get("id").asText())).containsExactly(false, false);
        assertThat(call("GET", "/scim/v2/Users?filter=" + Api.q("userName eq \"" + b.get("userName").asText()
                + "\" and active eq false"), null).json().get("totalResults").asInt()).isEqualTo(1);
    }

    @Test
    void groupPush() {
        String u1 = createUser(Fixtures.unique("okta.g1") + "@okta.example").get("id").asText();
        String u2 = createUser(Fixtures.unique("okta.g2") + "@okta.example").get("id").asText();
        String name = Fixtures.unique("Test SCIMv2");

        Api.Response created = call("POST", "/scim/v2/Groups", """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"%s","members":[]}""".formatted(name));
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asText();
        String g = "/scim/v2/Groups/" + id;
        assertThat(call("GET", "/scim/v2/Groups?filter=" + Api.q("displayName eq \"" + name + "\"")
                + "&startIndex=1&count=100", null).json().at("/Resources/0/id").asText()).isEqualTo(id);

        Api.Response rename = call("PATCH", g, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"replace","value":{"id":"%s","displayName":"%s renamed"}}]}""".formatted(id, name));
        assertThat(rename.status()).as(rename.raw()).isEqualTo(200);
        assertThat(rename.json().get("displayName").asText()).isEqualTo(name + " renamed");

        Api.Response add = call("PATCH", g, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"add","path":"members","value":[{"value":"%s","display":"one@okta.example"},
                                                                   {"value":"%s","display":"two@okta.example"}]}]}"""
                .formatted(u1, u2));
        assertThat(add.status()).isEqualTo(204);
        Api.Response remove = call("PATCH", g, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"remove","path":"members[value eq \\"%s\\"]"}]}""".formatted(u1));
        assertThat(remove.status()).isEqualTo(204);
        // Okta may repeat a removal; it is not an error.
        assertThat(call("PATCH", g, remove.raw().isEmpty() ? """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"remove","path":"members[value eq \\"%s\\"]"}]}""".formatted(u1) : "").status())
                .isEqualTo(204);
        assertThat(jdbc.queryForList("select member_id::text from scim_group_member where group_id = ?::uuid",
                String.class, id)).containsExactly(u2);
        assertThat(call("GET", "/scim/v2/Users/" + u2, null).json().at("/groups/0/value").asText()).isEqualTo(id);

        assertThat(call("DELETE", g, null).status()).isEqualTo(204);
        assertThat(call("GET", g, null).status()).isEqualTo(404);
    }
}
