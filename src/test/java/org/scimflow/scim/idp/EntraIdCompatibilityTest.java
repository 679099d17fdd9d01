package org.scimflow.scim.idp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;

/**
 * Microsoft Entra ID's provisioning calls, replayed in the shapes Microsoft documents for its SCIM client
 * (see docs/idp-compatibility.md), with the answers Entra needs and the rows they leave.
 */
class EntraIdCompatibilityTest extends HubTest {

    private static final String ENTRA_UA = "Microsoft.Identity.Provisioning/1.0";

    private Api.Response call(String method, String path, String body) {
        return api.send(method, path, body, body == null ? null : "application/scim+json", Map.of("User-Agent", ENTRA_UA));
    }

    private String createUser(String userName) {
        Api.Response r = call("POST", "/scim/v2/Users", """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
             "externalId":"%s","userName":"%s","active":true,
             "emails":[{"primary":true,"type":"work","value":"%s"}],
             "meta":{"resourceType":"User"},
             "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
             "roles":[],
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"R&D"}}
            """.formatted(UUID.randomUUID(), userName, userName));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    @Test
    void lookupBeforeCreateThenCreate() {
        String userName = "Test_User_" + UUID.randomUUID() + "@contoso.example";
        Api.Response none = call("GET", "/scim/v2/Users?filter=" + Api.q("userName eq \"" + userName + "\""), null);
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().get("totalResults").asInt()).isZero();
        assertThat(none.json().get("Resources")).isEmpty();

        String id = createUser(userName);

        Api.Response found = call("GET", "/scim/v2/Users?filter=" + Api.q("userName eq \"" + userName.toUpperCase() + "\""), null);
        assertThat(found.json().get("totalResults").asInt()).isEqualTo(1);
        assertThat(found.json().at("/Resources/0/id").asText()).isEqualTo(id);
        assertThat(call("GET", "/scim/v2/Users/" + UUID.randomUUID(), null).status()).isEqualTo(404);
        // Matching on the work email instead of userName: not RFC grammar, sent by Entra all the same.
        Api.Response byEmail = call("GET", "/scim/v2/Users?filter=" + Api.q("emails[type eq \"work\"].value eq \""
                + userName.toUpperCase() + "\""), null);
        assertThat(byEmail.status()).as(byEmail.raw()).isEqualTo(200);
        assertThat(byEmail.json().at("/Resources/0/id").asText()).isEqualTo(id);
        assertThat(byEmail.json().get("totalResults").asInt()).isEqualTo(1);
        Api.Response dup = call("POST", "/scim/v2/Users", """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s","active":true}""".formatted(userName));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.json().get("scimType").asText()).isEqualTo("uniqueness");
    }

    @Test
    void capitalisedOpsFilterPathsManagerAsAPlainIdAndBooleansAsStrings() {
        String manager = createUser(Fixtures.unique("mgr") + "@contoso.example");
        String id = createUser(Fixtures.unique("emp") + "@contoso.example");

        Api.Response r = call("PATCH", "/scim/v2/Users/" + id, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
              {"op":"Replace","path":"emails[type eq \\"work\\"].value","value":"updated@contoso.example"},
              {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
              {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"%s"},
              {"op":"Replace","path":"active","value":"False"}]}""".formatted(manager));

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().at("/emails/0/value").asText()).isEqualTo("updated@contoso.example");
        assertThat(r.json().at("/name/familyName").asText()).isEqualTo("updatedFamilyName");
        assertThat(r.json().at("/name/givenName").asText()).isEqualTo("givenName");
        assertThat(r.json().at("/" + Fixtures.ENTERPRISE + "/manager/value").asText()).isEqualTo(manager);
        assertThat(r.json().get("active").isBoolean()).isTrue();
        assertThat(r.json().get("active").asBoolean()).isFalse();
        assertThat(jdbc.queryForObject("select active from scim_user where id = ?::uuid", Boolean.class, id)).isFalse();
        assertThat(jdbc.queryForObject("select resource #>> '{" + Fixtures.ENTERPRISE + ",manager,value}' from scim_user "
                + "where id = ?::uuid", String.class, id)).isEqualTo(manager);
        // Filtering on the manager works on the stored form.
        Api.Response reports = call("GET", "/scim/v2/Users?filter=" + Api.q("userName eq \"" + r.json().get("userName")
                .asText() + "\" and " + Fixtures.ENTERPRISE + ":manager.value eq \"" + manager + "\""), null);
        assertThat(reports.json().get("totalResults").asInt()).isEqualTo(1);
    }

    @Test
    void patchWithoutPathWithDottedKeys() {
        String id = createUser(Fixtures.unique("nopath") + "@contoso.example");

        Api.Response r = call("PATCH", "/scim/v2/Users/" + id, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
              {"op":"Replace","value":{"name.givenName":"Grace","name.familyName":"Hopper","displayName":"Grace Hopper",
               "active":"True","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Navy"}}]}""");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().at("/name/givenName").asText()).isEqualTo("Grace");
        assertThat(r.json().at("/name/familyName").asText()).isEqualTo("Hopper");
        assertThat(r.json().at("/name/formatted").asText()).as("untouched sub-attribute kept").isEqualTo("givenName familyName");
        assertThat(r.json().get("active").asBoolean()).isTrue();
        assertThat(r.json().at("/" + Fixtures.ENTERPRISE + "/department").asText()).isEqualTo("Navy");
        assertThat(r.json().at("/" + Fixtures.ENTERPRISE + "/employeeNumber").asText()).isEqualTo("701984");
        assertThat(jdbc.queryForObject("select display_name from scim_user where id = ?::uuid", String.class, id))
                .isEqualTo("Grace Hopper");
    }

    @Test
    void groupLifecycle() {
        String a = createUser(Fixtures.unique("ga") + "@contoso.example");
        String b = createUser(Fixtures.unique("gb") + "@contoso.example");
        String name = Fixtures.unique("Entra Group");

        Api.Response lookup = call("GET", "/scim/v2/Groups?excludedAttributes=members&filter="
                + Api.q("displayName eq \"" + name + "\""), null);
        assertThat(lookup.json().get("totalResults").asInt()).isZero();
        Api.Response created = call("POST", "/scim/v2/Groups", """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"%s","displayName":"%s",
             "meta":{"resourceType":"Group"}}""".formatted(UUID.randomUUID(), name));
        assertThat(created.status()).isEqualTo(201);
        String g = "/scim/v2/Groups/" + created.json().get("id").asText();

        Api.Response add = call("PATCH", g, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"Add","path":"members","value":[{"value":"%s"},{"value":"%s"}]}]}""".formatted(a, b));
        assertThat(add.status()).isEqualTo(204);
        Api.Response remove = call("PATCH", g, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"Remove","path":"members","value":[{"value":"%s"}]}]}""".formatted(a));
        assertThat(remove.status()).isEqualTo(204);
        assertThat(jdbc.queryForList("select member_id::text from scim_group_member where group_id = ?::uuid",
                String.class, created.json().get("id").asText())).containsExactly(b);

        Api.Response found = call("GET", "/scim/v2/Groups?excludedAttributes=members&filter="
                + Api.q("displayName eq \"" + name + "\""), null);
        assertThat(found.json().get("totalResults").asInt()).isEqualTo(1);
        assertThat(found.json().at("/Resources/0").has("members")).isFalse();
        Api.Response rename = call("PATCH", g, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"Replace","path":"displayName","value":"%s renamed"}]}""".formatted(name));
        assertThat(rename.status()).isEqualTo(200);
        assertThat(rename.json().get("displayName").asText()).isEqualTo(name + " renamed");
        assertThat(call("DELETE", g, null).status()).isEqualTo(204);
        assertThat(call("DELETE", "/scim/v2/Users/" + a, null).status()).isEqualTo(204);
    }

    @Test
    void everyCallIsAuditedWithTheEntraUserAgent() {
        String id = createUser(Fixtures.unique("ua") + "@contoso.example");
        JsonNode user = call("GET", "/scim/v2/Users/" + id, null).json();
        assertThat(user.get("id").asText()).isEqualTo(id);
        auditLinked();
        assertThat(jdbc.queryForObject("select count(*) from audit_event where subject_id = ? and actor_user_agent = ?",
                Long.class, id, ENTRA_UA)).isGreaterThanOrEqualTo(1);
    }
}
