package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scimflow.support.Api;
import org.scimflow.support.HubTest;
import static org.scimflow.support.Fixtures.unique;
import static org.scimflow.support.Fixtures.user;

/** The SCIM Users API over HTTP, checked against RFC 7644 and the rows it leaves in PostgreSQL. */
class ScimUsersApiTest extends HubTest {

    @Test
    void createReturns201WithLocationMetaAndEtagAndStoresIndexedColumns() {
        String name = unique("Create.Me");
        Api.Response r = api.post("/scim/v2/Users", user(name));

        assertThat(r.status()).isEqualTo(201);
        String id = r.json().get("id").asText();
        assertThat(r.header("Location")).isEqualTo(api.base() + "/scim/v2/Users/" + id);
        assertThat(r.header("Content-Type")).startsWith("application/scim+json");
        JsonNode meta = r.json().get("meta");
        assertThat(meta.get("resourceType").asText()).isEqualTo("User");
        assertThat(meta.get("location").asText()).isEqualTo(r.header("Location"));
        assertThat(meta.get("version").asText()).isEqualTo("W/\"1\"").isEqualTo(r.header("ETag"));
        assertThat(meta.get("created").asText()).isEqualTo(meta.get("lastModified").asText());
        assertThat(r.json().at("/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User/department").asText())
                .isEqualTo("R&D");

        Map<String, Object> row = jdbc.queryForMap(
                "select user_name, user_name_lc, external_id, display_name, active from scim_user where id = ?::uuid", id);
        assertThat(row).containsEntry("user_name", name).containsEntry("user_name_lc", name.toLowerCase())
                .containsEntry("external_id", "ext-" + name).containsEntry("active", true);
    }

    @Test
    void getReturnsTheSameRepresentationAsCreate() {
        Api.Response created = api.post("/scim/v2/Users", user(unique("get")));
        String id = created.json().get("id").asText();

        Api.Response r = api.get("/scim/v2/Users/" + id);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).isEqualTo(created.json());
        assertThat(r.header("ETag")).isEqualTo("W/\"1\"");
    }

    @Test
    void userNameIsUniqueIgnoringCase() {
        String name = unique("Unique");
        assertThat(api.post("/scim/v2/Users", user(name)).status()).isEqualTo(201);

        Api.Response dup = api.post("/scim/v2/Users", user(name.toUpperCase()));

        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.json().get("scimType").asText()).isEqualTo("uniqueness");
        assertThat(dup.json().get("status").asText()).isEqualTo("409");
        assertThat(jdbc.queryForObject("select count(*) from scim_user where user_name_lc = ?", Long.class,
                name.toLowerCase())).isEqualTo(1);
    }

    @Test
    void filtersOnUserNameExternalIdAndDisplayName() {
        String name = unique("Filter.Target");
        String id = api.post("/scim/v2/Users", user(name)).json().get("id").asText();
        api.post("/scim/v2/Users", user(unique("Filter.Other")));

        for (String filter : new String[] {
                "userName eq \"" + name.toUpperCase() + "\"",
                "externalId eq \"ext-" + name + "\"",
                "displayName eq \"display " + name.toLowerCase() + "\""}) {
            Api.Response r = api.get("/scim/v2/Users?filter=" + Api.q(filter));
            assertThat(r.status()).as(filter).isEqualTo(200);
            assertThat(r.json().get("totalResults").asLong()).as(filter).isEqualTo(1);
            assertThat(r.json().at("/Resources/0/id").asText()).as(filter).isEqualTo(id);
        }
        // externalId is caseExact: a different case is a different value.
        Api.Response none = api.get("/scim/v2/Users?filter=" + Api.q("externalId eq \"EXT-" + name + "\""));
        assertThat(none.json().get("totalResults").asLong()).isZero();
        assertThat(none.json().get("Resources")).isEmpty();
    }

    @Test
    void listPagesWithStartIndexAndCount() {
        String prefix = unique("page");
        for (int i = 0; i < 5; i++) {
            api.post("/scim/v2/Users", user(prefix + "-" + i));
        }
        String filter = Api.q("userName sw \"" + prefix + "\"");

        Api.Response page = api.get("/scim/v2/Users?filter=" + filter + "&startIndex=2&count=2&sortBy=userName");
        assertThat(page.json().get("totalResults").asInt()).isEqualTo(5);
        assertThat(page.json().get("startIndex").asInt()).isEqualTo(2);
        assertThat(page.json().get("itemsPerPage").asInt()).isEqualTo(2);
        assertThat(page.json().at("/Resources/0/userName").asText()).isEqualTo(prefix + "-1");
        assertThat(page.json().at("/Resources/1/userName").asText()).isEqualTo(prefix + "-2");

        Api.Response countOnly = api.get("/scim/v2/Users?filter=" + filter + "&count=0");
        assertThat(countOnly.json().get("totalResults").asInt()).isEqualTo(5);
        assertThat(countOnly.json().get("Resources")).isEmpty();
    }

    @Test
    void putReplacesAndBumpsVersion() {
        String name = unique("put");
        JsonNode created = api.post("/scim/v2/Users", user(name)).json();
        String id = created.get("id").asText();

        Api.Response r = api.put("/scim/v2/Users/" + id, """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s","active":false,
             "id":"ignored-read-only","meta":{"version":"W/\\"99\\""}}""".formatted(name));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("id").asText()).isEqualTo(id);
        assertThat(r.json().get("active").asBoolean()).isFalse();
        assertThat(r.json().has("emails")).as("PUT replaces: attributes left out are gone").isFalse();
        assertThat(r.json().at("/meta/version").asText()).isEqualTo("W/\"2\"");
        assertThat(r.json().at("/meta/created").asText()).isEqualTo(created.at("/meta/created").asText());
        assertThat(jdbc.queryForObject("select active from scim_user where id = ?::uuid", Boolean.class, id)).isFalse();
    }

    @Test
    void patchAddReplaceRemoveWithAndWithoutPath() {
        String id = api.post("/scim/v2/Users", user(unique("patch"))).json().get("id").asText();

        Api.Response r = api.patch("/scim/v2/Users/" + id, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
              {"op":"Replace","path":"name.givenName","value":"Augusta"},
              {"op":"add","path":"emails","value":[{"value":"home@example.com","type":"home"}]},
              {"op":"remove","path":"emails[type eq \\"work\\"]"},
              {"op":"replace","value":{"title":"Countess","active":"False"}}]}""");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().at("/name/givenName").asText()).isEqualTo("Augusta");
        assertThat(r.json().at("/name/familyName").asText()).isEqualTo("Lovelace");
        assertThat(r.json().get("emails")).hasSize(1);
        assertThat(r.json().at("/emails/0/type").asText()).isEqualTo("home");
        assertThat(r.json().get("title").asText()).isEqualTo("Countess");
        assertThat(r.json().get("active").isBoolean()).isTrue();
        assertThat(r.json().get("active").asBoolean()).isFalse();
        assertThat(r.header("ETag")).isEqualTo("W/\"2\"");
    }

    @Test
    void patchIsAtomicWhenOneOperationFails() {
        String name = unique("atomic");
        String id = api.post("/scim/v2/Users", user(name)).json().get("id").asText();

        Api.Response r = api.patch("/scim/v2/Users/" + id, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
              {"op":"replace","path":"title","value":"Changed"},
              {"op":"replace","path":"meta.created","value":"2020-01-01T00:00:00Z"}]}""");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("scimType").asText()).isEqualTo("mutability");
        JsonNode after = api.get("/scim/v2/Users/" + id).json();
        assertThat(after.has("title")).isFalse();
        assertThat(after.at("/meta/version").asText()).isEqualTo("W/\"1\"");
    }

    @Test
    void ifMatchMismatchIs412AndChangesNothing() {
        String id = api.post("/scim/v2/Users", user(unique("etag"))).json().get("id").asText();

        Api.Response r = api.send("PATCH", "/scim/v2/Users/" + id, """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"replace","path":"title","value":"x"}]}""",
                "application/scim+json", Map.of("If-Match", "W/\"7\""));

        assertThat(r.status()).isEqualTo(412);
        assertThat(api.get("/scim/v2/Users/" + id).json().has("title")).isFalse();
        assertThat(api.get("/scim/v2/Users/" + id, Map.of("If-None-Match", "W/\"1\"")).status()).isEqualTo(304);
    }

    @Test
    void deleteIs204ThenGetIs404() {
        String id = api.post("/scim/v2/Users", user(unique("delete"))).json().get("id").asText();

        assertThat(api.delete("/scim/v2/Users/" + id).status()).isEqualTo(204);

        Api.Response gone = api.get("/scim/v2/Users/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().get("schemas").get(0).asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
        assertThat(api.delete("/scim/v2/Users/" + id).status()).isEqualTo(404);
        assertThat(jdbc.queryForObject("select count(*) from scim_user where id = ?::uuid", Long.class, id)).isZero();
    }

    @Test
    void acceptsPlainApplicationJson() {
        Api.Response r = api.send("POST", "/scim/v2/Users", user(unique("json")), "application/json; charset=utf-8", Map.of());
        assertThat(r.status()).isEqualTo(201);
    }

    @Test
    void passwordIsAcceptedButNeverReturnedOrStored() {
        String name = unique("pw");
        String body = user(name).replace("\"active\":true", "\"active\":true,\"password\":\"Sup3r-Secret-Pw!\"");
        Api.Response r = api.post("/scim/v2/Users", body);

        assertThat(r.status()).isEqualTo(201);
        assertThat(r.raw()).doesNotContain("Sup3r-Secret-Pw!").doesNotContain("password");
        String id = r.json().get("id").asText();
        assertThat(jdbc.queryForObject("select resource::text from scim_user where id = ?::uuid", String.class, id))
                .doesNotContain("Sup3r-Secret-Pw!").doesNotContain("password");
    }

    @Test
    void concurrentWritesCommitTogetherButFailAlone() throws Exception {
        String prefix = unique("burst");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        java.util.List<java.util.concurrent.Future<Api.Response>> futures = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            // Every third request repeats an earlier userName: it must get 409 without harming its batch.
            String name = prefix + "-" + (i % 3 == 2 ? i - 1 : i);
            futures.add(pool.submit(() -> api.post("/scim/v2/Users", user(name))));
        }
        int created = 0;
        int conflicts = 0;
        for (var f : futures) {
            int status = f.get().status();
            if (status == 201) {
                created++;
            } else if (status == 409) {
                conflicts++;
            }
        }
        pool.shutdown();

        assertThat(created).isEqualTo(40);
        assertThat(conflicts).isEqualTo(20);
        assertThat(jdbc.queryForObject("select count(*) from scim_user where user_name like ?", Long.class, prefix + "-%"))
                .isEqualTo(40);
        auditLinked();
        assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'scim.user.create' "
                + "and outcome = 'success' and subject_name like ?", Long.class, prefix + "-%")).isEqualTo(40);
    }
}
