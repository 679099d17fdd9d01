package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Filters, sorting, paging, projections, .search and ETags over HTTP (RFC 7644 §3.4, §3.14), each on its
 * own set of users scoped by a unique userName prefix.
 */
class ScimListingTest extends HubTest {

    @Autowired
    ListLimits limits;

    private String prefix;
    private final List<String> ids = new ArrayList<>();

    /** Four users: ada (work @x.com, active), bob (home), cy (inactive, enterprise Sales), dee (no emails). */
    @BeforeEach
    void users() {
        prefix = Fixtures.unique("ls");
        ids.clear();
        ids.add(create("ada", "\"name\":{\"givenName\":\"Ada\",\"familyName\":\"Zeta\"},\"emails\":[{\"value\":\"ada@x.com\","
                + "\"type\":\"work\",\"primary\":true},{\"value\":\"ada@home.org\",\"type\":\"home\"}],\"active\":true,"
                + "\"title\":\"Engineer\""));
        ids.add(create("bob", "\"name\":{\"givenName\":\"Bob\",\"familyName\":\"Young\"},\"emails\":[{\"value\":\"bob@y.com\","
                + "\"type\":\"home\"}],\"active\":true"));
        ids.add(create("cy", "\"name\":{\"givenName\":\"Cy\",\"familyName\":\"Xu\"},\"emails\":[{\"value\":\"cy@x.com\","
                + "\"type\":\"work\"}],\"active\":false,\"" + Fixtures.ENTERPRISE + "\":{\"department\":\"Sales\"}"));
        ids.add(create("dee", "\"name\":{\"givenName\":\"Dee\",\"familyName\":\"Adams\"},\"active\":true"));
    }

    private String create(String who, String attrs) {
        String body = "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + prefix + "-" + who
                + "\",\"externalId\":\"Ext-" + who + "-" + prefix + "\"," + attrs + "}";
        Api.Response r = api.post("/scim/v2/Users", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private List<String> matching(String filter) {
        Api.Response r = api.get("/scim/v2/Users?count=50&filter=" + Api.q("userName sw \"" + prefix + "\" and (" + filter + ")"));
        assertThat(r.status()).as(filter + " " + r.raw()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.json().get("Resources").forEach(u -> out.add(u.get("userName").asText().substring(prefix.length() + 1)));
        assertThat(r.json().get("totalResults").asInt()).isEqualTo(out.size());
        return out;
    }

    @Test
    void theWholeFilterGrammarOverHttp() {
        String[][] rows = {
                {"emails[type eq \"work\" and value co \"@x\"]", "ada,cy"},
                {"emails[type eq \"work\"] and not (active eq false)", "ada"},
                {"name.familyName sw \"y\" or name.familyName ew \"ms\"", "bob,dee"},
                {"emails.value ew \".org\"", "ada"},
                {"emails.value eq \"ADA@home.org\"", "ada"},
                {"emails[type eq \"work\"].value eq \"cy@x.com\"", "cy"},
                {"emails pr", "ada,bob,cy"},
                {"not (emails pr)", "dee"},
                {"title pr and title eq \"engineer\"", "ada"},
                {"active eq false", "cy"},
                {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq \"sales\"", "cy"},
                {"name.givenName gt \"B\" and name.givenName lt \"D\"", "bob,cy"},
                {"(active eq true or title pr) and emails[primary eq true]", "ada"},
                {"meta.created gt \"2000-01-01T00:00:00Z\" and meta.lastModified le \"2999-01-01T00:00:00Z\"",
                        "ada,bob,cy,dee"},
                {"externalId eq \"Ext-bob-" + "%s\"", "bob"},
                {"externalId eq \"ext-bob-" + "%s\"", ""},
                {"userName eq \"" + "%s-DEE\"", "dee"},
                {"userName ne \"%s-dee\"", "ada,bob,cy"}};
        for (String[] row : rows) {
            String filter = row[0].replace("%s", prefix);
            List<String> want = row[1].isEmpty() ? List.of() : List.of(row[1].split(","));
            assertThat(matching(filter)).as(filter).containsExactlyInAnyOrderElementsOf(want);
        }
    }

    @Test
    void aFilterNoIndexNarrowsIsTooManyOnALargeTable() {
        long before = limits.scanRowLimit();
        limits.scanRowLimit(0);
        try {
            Api.Response broad = api.get("/scim/v2/Users?filter=" + Api.q("title eq \"Engineer\""));
            assertThat(broad.status()).isEqualTo(400);
            assertThat(broad.json().get("scimType").asText()).isEqualTo("tooMany");
            assertThat(api.get("/scim/v2/Users?filter=" + Api.q("userName co \"" + prefix + "\" or title co \"eng\""))
                    .json().get("scimType").asText()).isEqualTo("tooMany");
            Api.Response narrowed = api.get("/scim/v2/Users?filter=" + Api.q("userName sw \"" + prefix
                    + "\" and title eq \"Engineer\""));
            assertThat(narrowed.status()).isEqualTo(200);
            assertThat(narrowed.json().get("totalResults").asInt()).isEqualTo(1);
            assertThat(api.get("/scim/v2/Users?count=1").status()).as("no filter is paging, not a search").isEqualTo(200);

            // Sorting every row by an attribute no index orders is the same full read.
            for (String sortBy : new String[] {"title", "emails", "name.familyName", "active"}) {
                Api.Response sorted = api.get("/scim/v2/Users?count=5&sortBy=" + sortBy);
                assertThat(sorted.status()).as(sortBy).isEqualTo(400);
                assertThat(sorted.json().get("scimType").asText()).isEqualTo("tooMany");
            }
            for (String sortBy : new String[] {"userName", "displayName", "meta.created", "meta.lastModified", "id"}) {
                assertThat(api.get("/scim/v2/Users?count=5&sortBy=" + sortBy).status()).as(sortBy).isEqualTo(200);
            }
            assertThat(api.get("/scim/v2/Users?sortBy=title&filter=" + Api.q("userName sw \"" + prefix + "\""))
                    .status()).as("an indexed filter narrows first").isEqualTo(200);
        } finally {
            limits.scanRowLimit(before);
        }
    }

    @Test
    void sortingAndPaging() {
        String scope = "&filter=" + Api.q("userName sw \"" + prefix + "\"");
        Api.Response desc = api.get("/scim/v2/Users?sortBy=userName&sortOrder=descending" + scope);
        assertThat(names(desc)).containsExactly("dee", "cy", "bob", "ada");
        assertThat(names(api.get("/scim/v2/Users?sortBy=name.familyName" + scope))).containsExactly("dee", "cy", "bob", "ada");
        assertThat(names(api.get("/scim/v2/Users?sortBy=emails" + scope))).as("by primary, else first, value; none last")
                .containsExactly("ada", "bob", "cy", "dee");

        Api.Response page = api.get("/scim/v2/Users?sortBy=userName&startIndex=3&count=1" + scope);
        assertThat(page.json().get("totalResults").asInt()).isEqualTo(4);
        assertThat(page.json().get("itemsPerPage").asInt()).isEqualTo(1);
        assertThat(page.json().get("startIndex").asInt()).isEqualTo(3);
        assertThat(names(page)).containsExactly("cy");

        Api.Response past = api.get("/scim/v2/Users?startIndex=10&count=5" + scope);
        assertThat(past.json().get("totalResults").asInt()).isEqualTo(4);
        assertThat(past.json().get("itemsPerPage").asInt()).isZero();
        Api.Response zero = api.get("/scim/v2/Users?count=0" + scope);
        assertThat(zero.json().get("totalResults").asInt()).isEqualTo(4);
        assertThat(zero.json().get("Resources")).isEmpty();
        Api.Response negative = api.get("/scim/v2/Users?startIndex=-3&count=-1" + scope);
        assertThat(negative.json().get("startIndex").asInt()).as("startIndex < 1 is 1").isEqualTo(1);
        assertThat(negative.json().get("itemsPerPage").asInt()).as("count < 0 is 0").isZero();
        assertThat(api.get("/scim/v2/Users?sortBy=password").json().get("scimType").asText()).isEqualTo("invalidValue");

        // Without a filter the total comes from the trigger-kept counts: it must equal the table.
        assertThat(api.get("/scim/v2/Users?count=0").json().get("totalResults").asLong())
                .isEqualTo(jdbc.queryForObject("select count(*) from scim_user", Long.class));
        assertThat(api.get("/scim/v2/Groups?count=1").json().get("totalResults").asLong())
                .isEqualTo(jdbc.queryForObject("select count(*) from scim_group", Long.class));
        Api.Response deep = api.get("/scim/v2/Users?sortBy=userName&count=2&startIndex=2");
        assertThat(deep.json().get("Resources").findValuesAsText("userName")).containsExactlyElementsOf(
                jdbc.queryForList("select user_name from scim_user order by user_name_lc limit 2 offset 1", String.class));
        assertThat(api.get("/scim/v2/Users?sortOrder=sideways").status()).isEqualTo(400);
    }

    private static List<String> names(Api.Response r) {
        List<String> out = new ArrayList<>();
        r.json().get("Resources").forEach(u -> out.add(u.get("userName").asText().replaceAll(".*-", "")));
        return out;
    }

    @Test
    void attributesAndExcludedAttributes() {
        String id = ids.get(0);
        JsonNode only = api.get("/scim/v2/Users/" + id + "?attributes=userName,emails.value").json();
        assertThat(only.get("id").asText()).isEqualTo(id);
        assertThat(only.has("schemas")).isTrue();
        assertThat(only.has("userName")).isTrue();
        assertThat(only.get("emails").get(0).fieldNames()).toIterable().containsExactly("value");
        assertThat(only.has("name")).isFalse();
        assertThat(only.has("meta")).isFalse();

        JsonNode without = api.get("/scim/v2/Users/" + id + "?excludedAttributes=emails,name.givenName,id").json();
        assertThat(without.has("emails")).isFalse();
        assertThat(without.at("/name/familyName").asText()).isEqualTo("Zeta");
        assertThat(without.at("/name").has("givenName")).isFalse();
        assertThat(without.get("id").asText()).as("id is returned always").isEqualTo(id);

        JsonNode ext = api.get("/scim/v2/Users/" + ids.get(2) + "?attributes=" + Api.q(Fixtures.ENTERPRISE + ":department"))
                .json();
        assertThat(ext.at("/" + Fixtures.ENTERPRISE + "/department").asText()).isEqualTo("Sales");
        assertThat(ext.has("userName")).isFalse();

        JsonNode listed = api.get("/scim/v2/Users?attributes=userName&filter=" + Api.q("userName sw \"" + prefix + "\""))
                .json();
        listed.get("Resources").forEach(u -> assertThat(u.fieldNames()).toIterable()
                .containsExactlyInAnyOrder("schemas", "id", "userName"));
    }

    @Test
    void searchByPost() {
        Api.Response r = api.post("/scim/v2/Users/.search", """
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
             "filter":"userName sw \\"%s\\" and active eq true","sortBy":"name.givenName","sortOrder":"descending",
             "startIndex":1,"count":2,"attributes":["userName","name.givenName"]}""".formatted(prefix));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("totalResults").asInt()).isEqualTo(3);
        assertThat(names(r)).containsExactly("dee", "bob");
        assertThat(r.json().at("/Resources/0").has("emails")).isFalse();
        assertThat(api.post("/scim/v2/Users/.search", "{\"filter\":\"userName zz 1\"}").json().get("scimType").asText())
                .isEqualTo("invalidFilter");
    }

    @Test
    void etagsOnEveryVerbForUsersAndGroups() {
        String user = ids.get(1);
        Api.Response list = api.get("/scim/v2/Users?filter=" + Api.q("userName sw \"" + prefix + "\""));
        list.json().get("Resources").forEach(u -> assertThat(u.at("/meta/version").asText()).isEqualTo(
                api.get("/scim/v2/Users/" + u.get("id").asText()).header("ETag")));
        assertThat(api.send("DELETE", "/scim/v2/Users/" + user, null, null, Map.of("If-Match", "W/\"5\"")).status())
                .isEqualTo(412);
        assertThat(api.send("PUT", "/scim/v2/Users/" + user, "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                + "\"userName\":\"" + prefix + "-bob\"}", "application/scim+json", Map.of("If-Match", "W/\"1\"")).status())
                .isEqualTo(200);

        String group = api.post("/scim/v2/Groups", Fixtures.group(Fixtures.unique("etag"), user)).json().get("id").asText();
        String g = "/scim/v2/Groups/" + group;
        assertThat(api.get(g).header("ETag")).isEqualTo("W/\"1\"");
        assertThat(api.get(g, Map.of("If-None-Match", "W/\"1\"")).status()).isEqualTo(304);
        assertThat(api.get(g, Map.of("If-None-Match", "W/\"0\"")).status()).isEqualTo(200);
        assertThat(api.send("PATCH", g, Fixtures.patch("[{\"op\":\"remove\",\"path\":\"members\",\"value\":[{\"value\":\""
                + user + "\"}]}]"), "application/scim+json", Map.of("If-Match", "W/\"3\"")).status()).isEqualTo(412);
        assertThat(api.send("PATCH", g, Fixtures.patch("[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"x\"}]"),
                "application/scim+json", Map.of("If-Match", "W/\"3\"")).status()).isEqualTo(412);
        assertThat(api.send("PUT", g, Fixtures.group("y"), "application/scim+json", Map.of("If-Match", "W/\"2\""))
                .status()).isEqualTo(412);
        assertThat(api.send("DELETE", g, null, null, Map.of("If-Match", "W/\"2\"")).status()).isEqualTo(412);
        assertThat(jdbc.queryForObject("select count(*) from scim_group_member where group_id = ?::uuid", Long.class, group))
                .as("nothing changed").isEqualTo(1);
        Api.Response put = api.send("PUT", g, Fixtures.group("y"), "application/scim+json", Map.of("If-Match", "W/\"1\""));
        assertThat(put.header("ETag")).isEqualTo("W/\"2\"");
        assertThat(api.send("DELETE", g, null, null, Map.of("If-Match", "W/\"2\"")).status()).isEqualTo(204);
    }
}
