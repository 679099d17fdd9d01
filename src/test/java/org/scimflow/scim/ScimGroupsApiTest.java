package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;

/** Groups and memberships over HTTP, as Entra ID and Okta push them. */
class ScimGroupsApiTest extends HubTest {

    private String newUser() {
        return api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("member")))
                .json().get("id").asText();
    }

    private static String group(String name, String... members) {
        List<String> m = new ArrayList<>();
        for (String id : members) {
            m.add("{\"value\":\"" + id + "\"}");
        }
        return "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"" + name
                + "\",\"members\":[" + String.join(",", m) + "]}";
    }

    @Test
    void createGroupWithMembersStoresOneRowPerMember() {
        String a = newUser();
        String b = newUser();
        Api.Response r = api.post("/scim/v2/Groups", group(Fixtures.unique("Engineering"), a, b));

        assertThat(r.status()).isEqualTo(201);
        String id = r.json().get("id").asText();
        assertThat(r.header("Location")).endsWith("/scim/v2/Groups/" + id);
        assertThat(r.json().get("members")).hasSize(2);
        JsonNode first = r.json().get("members").get(0);
        assertThat(first.get("type").asText()).isEqualTo("User");
        assertThat(first.get("$ref").asText()).contains("/scim/v2/Users/");
        assertThat(jdbc.queryForObject("select count(*) from scim_group_member where group_id = ?::uuid", Long.class, id))
                .isEqualTo(2);
        // A user's groups attribute is derived from the memberships.
        JsonNode user = api.get("/scim/v2/Users/" + a).json();
        assertThat(user.at("/groups/0/value").asText()).isEqualTo(id);
    }

    @Test
    void unknownMemberIsRejectedAndNothingIsCreated() {
        String name = Fixtures.unique("Ghosts");
        Api.Response r = api.post("/scim/v2/Groups", group(name, "00000000-0000-4000-8000-00000000dead"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("scimType").asText()).isEqualTo("invalidValue");
        assertThat(jdbc.queryForObject("select count(*) from scim_group where display_name = ?", Long.class, name)).isZero();
    }

    @Test
    void patchAddsAndRemovesMembersEntraAndOktaStyle() {
        String a = newUser();
        String b = newUser();
        String c = newUser();
        String id = api.post("/scim/v2/Groups", group(Fixtures.unique("Sales"), a)).json().get("id").asText();

        // Okta group push: add with a value array.
        Api.Response add = api.patch("/scim/v2/Groups/" + id, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"add","path":"members","value":[{"value":"%s"},{"value":"%s"}]}]}""".formatted(b, c));
        assertThat(add.status()).as("member-only PATCH answers 204 with the new ETag").isEqualTo(204);
        assertThat(add.header("ETag")).isEqualTo("W/\"2\"");
        assertThat(api.get("/scim/v2/Groups/" + id).json().get("members")).hasSize(3);

        // Entra ID: capitalised op, remove with a value array on path members (only those members go).
        Api.Response remove = api.patch("/scim/v2/Groups/" + id, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"Remove","path":"members","value":[{"value":"%s"}]}]}""".formatted(a));
        assertThat(remove.status()).isEqualTo(204);
        assertThat(jdbc.queryForList("select member_id::text from scim_group_member where group_id = ?::uuid",
                String.class, id)).containsExactlyInAnyOrder(b, c);

        // RFC value-filter path.
        api.patch("/scim/v2/Groups/" + id, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"remove","path":"members[value eq \\"%s\\"]"}]}""".formatted(b));
        assertThat(jdbc.queryForList("select member_id::text from scim_group_member where group_id = ?::uuid",
                String.class, id)).containsExactly(c);
        assertThat(api.get("/scim/v2/Groups/" + id).header("ETag")).isEqualTo("W/\"4\"");
    }

    @Test
    void deletingAUserRemovesItFromItsGroups() {
        String a = newUser();
        String b = newUser();
        String id = api.post("/scim/v2/Groups", group(Fixtures.unique("Ops"), a, b)).json().get("id").asText();

        assertThat(api.delete("/scim/v2/Users/" + a).status()).isEqualTo(204);

        JsonNode g = api.get("/scim/v2/Groups/" + id).json();
        assertThat(g.get("members")).hasSize(1);
        assertThat(g.at("/members/0/value").asText()).isEqualTo(b);
        assertThat(g.at("/meta/version").asText()).as("membership change bumps the group version").isEqualTo("W/\"2\"");
    }

    @Test
    void filterByDisplayNameAndExcludeMembers() {
        String name = Fixtures.unique("Finance");
        String a = newUser();
        String id = api.post("/scim/v2/Groups", group(name, a)).json().get("id").asText();

        Api.Response r = api.get("/scim/v2/Groups?filter=" + Api.q("displayName eq \"" + name + "\"")
                + "&excludedAttributes=members");

        assertThat(r.json().get("totalResults").asInt()).isEqualTo(1);
        assertThat(r.json().at("/Resources/0/id").asText()).isEqualTo(id);
        assertThat(r.json().at("/Resources/0").has("members")).isFalse();
        Api.Response byMember = api.get("/scim/v2/Groups?filter=" + Api.q("members[value eq \"" + a + "\"]"));
        assertThat(byMember.json().at("/Resources/0/id").asText()).isEqualTo(id);

        // A page of several groups carries each group's own members.
        String b = newUser();
        String other = api.post("/scim/v2/Groups", group(name + "-2", a, b)).json().get("id").asText();
        Api.Response both = api.get("/scim/v2/Groups?sortBy=displayName&filter=" + Api.q("displayName sw \"" + name + "\""));
        assertThat(both.json().get("Resources").findValuesAsText("id")).containsExactly(id, other);
        assertThat(both.json().at("/Resources/0/members")).hasSize(1);
        assertThat(both.json().at("/Resources/1/members").findValuesAsText("value")).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void putReplacesMembersAndDeleteRemovesGroup() {
        String a = newUser();
        String b = newUser();
        String name = Fixtures.unique("Legal");
        String id = api.post("/scim/v2/Groups", group(name, a)).json().get("id").asText();

        Api.Response put = api.put("/scim/v2/Groups/" + id, group(name + "-renamed", b));
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.json().get("displayName").asText()).isEqualTo(name + "-renamed");
        assertThat(jdbc.queryForList("select member_id::text from scim_group_member where group_id = ?::uuid",
                String.class, id)).containsExactly(b);

        assertThat(api.delete("/scim/v2/Groups/" + id).status()).isEqualTo(204);
        assertThat(api.get("/scim/v2/Groups/" + id).status()).isEqualTo(404);
        assertThat(jdbc.queryForObject("select count(*) from scim_group_member where group_id = ?::uuid", Long.class, id))
                .isZero();
    }
}
