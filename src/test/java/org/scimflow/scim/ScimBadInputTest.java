package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;

/** Client mistakes get the right 4xx and scimType, are audited, and change nothing. */
class ScimBadInputTest extends HubTest {

    static Stream<Arguments> badCreates() {
        String ok = "\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"]";
        return Stream.of(
                Arguments.of("malformed JSON", "{\"userName\": ", "application/scim+json", 400, "invalidSyntax"),
                Arguments.of("not an object", "[1,2]", "application/scim+json", 400, "invalidSyntax"),
                Arguments.of("missing schemas", "{\"userName\":\"bad-1\"}", "application/scim+json", 400, "invalidSyntax"),
                Arguments.of("unknown schema", "{\"schemas\":[\"urn:x:nope\"],\"userName\":\"bad-2\"}",
                        "application/scim+json", 400, "invalidValue"),
                Arguments.of("missing userName", "{" + ok + "}", "application/scim+json", 400, "invalidValue"),
                Arguments.of("wrong type", "{" + ok + ",\"userName\":\"bad-3\",\"active\":\"maybe\"}",
                        "application/scim+json", 400, "invalidValue"),
                Arguments.of("number as string attr", "{" + ok + ",\"userName\":42}", "application/scim+json", 400,
                        "invalidValue"),
                Arguments.of("unknown attribute", "{" + ok + ",\"userName\":\"bad-4\",\"shoeSize\":44}",
                        "application/scim+json", 400, "invalidSyntax"),
                Arguments.of("duplicate key", "{" + ok + ",\"userName\":\"bad-5\",\"userName\":\"bad-6\"}",
                        "application/scim+json", 400, "invalidSyntax"),
                Arguments.of("two primaries", "{" + ok + ",\"userName\":\"bad-7\",\"emails\":[{\"value\":\"a@x\","
                        + "\"primary\":true},{\"value\":\"b@x\",\"primary\":true}]}", "application/scim+json", 400,
                        "invalidValue"),
                Arguments.of("NUL character", "{" + ok + ",\"userName\":\"bad\\u0000-8\"}", "application/scim+json",
                        400, "invalidValue"),
                Arguments.of("wrong content type", "{" + ok + ",\"userName\":\"bad-9\"}", "text/plain", 415, null),
                Arguments.of("empty body", "", "application/scim+json", 400, "invalidSyntax"),
                Arguments.of("nested past the parser's limit", "[".repeat(1001) + "]".repeat(1001),
                        "application/scim+json", 400, "invalidSyntax"),
                Arguments.of("a number past the parser's limit", "{" + ok + ",\"userName\":\"bad-10\",\"x\":"
                        + "9".repeat(1001) + "}", "application/scim+json", 400, "invalidSyntax"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCreates")
    void badCreateIsRejectedAuditedAndChangesNothing(String name, String body, String contentType, int status,
                                                       String scimType) {
        long users = jdbc.queryForObject("select count(*) from scim_user", Long.class);

        Api.Response r = api.send("POST", "/scim/v2/Users", body, contentType, Map.of());

        assertThat(r.status()).isEqualTo(status);
        assertThat(r.json().get("schemas").get(0).asText()).isEqualTo(ScimErrors.ERROR_SCHEMA);
        assertThat(r.json().get("status").asText()).isEqualTo(String.valueOf(status));
        if (scimType == null) {
            assertThat(r.json().has("scimType")).isFalse();
        } else {
            assertThat(r.json().get("scimType").asText()).isEqualTo(scimType);
        }
        assertThat(jdbc.queryForObject("select count(*) from scim_user", Long.class)).isEqualTo(users);
        String correlation = r.header("X-Request-Id");
        AuditAwait.record(jdbc, correlation, row -> {
            assertThat(row.get("outcome")).isEqualTo("failure");
            assertThat(row.get("http_status")).isEqualTo(status);
            assertThat(row.get("action")).isEqualTo("scim.user.create");
        });
    }

    /**
     * PostgreSQL stores no NUL character. A rejected call whose record carried one (its bad path or
     * attribute name in the error) once failed its whole batch of records, other callers' records too.
     */
    @org.junit.jupiter.api.Test
    void aNulCharacterInARejectedCallLosesNoAuditRecord() {
        String id = api.post("/scim/v2/Users", org.scimflow.support.Fixtures.user(org.scimflow.support.Fixtures.unique("nul")))
                .json().get("id").asText();
        Api.Response badPath = api.send("PATCH", "/scim/v2/Users/" + id, org.scimflow.support.Fixtures.patch(
                "[{\"op\":\"replace\",\"path\":\"\\u0000\",\"value\":\"x\"}]"), "application/scim+json", Map.of());
        Api.Response badName = api.send("POST", "/scim/v2/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                + "\"userName\":\"nul-2\",\"\\u0000\":1}", "application/scim+json", Map.of());
        Api.Response plain = api.send("PATCH", "/scim/v2/Users/" + id, org.scimflow.support.Fixtures.patch(
                "[{\"op\":\"replace\",\"path\":\"shoeSize\",\"value\":\"x\"}]"), "application/scim+json", Map.of());

        for (Api.Response r : java.util.List.of(badPath, badName, plain)) {
            assertThat(r.status()).isEqualTo(400);
            AuditAwait.record(jdbc, r.header("X-Request-Id"), row -> assertThat(row.get("outcome")).isEqualTo("failure"));
        }
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.scimflow.audit.AuditVerifier verifier;

    /**
     * Text that is not Unicode is refused, not stored altered: half a surrogate pair escaped in JSON
     * ({@code \uD800}, once answered 201 with the value while PostgreSQL stored "?"), and bytes that are not
     * well-formed UTF-8 (an overlong '/', which the JSON parser decoded). Each is audited, creates nothing,
     * and the chain still verifies.
     */
    @org.junit.jupiter.api.Test
    void textThatIsNotUnicodeIsRefusedAndNothingIsStored() throws Exception {
        String lone = org.scimflow.support.Fixtures.unique("lone");
        Api.Response surrogate = api.send("POST", "/scim/v2/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                + "\"userName\":\"" + lone + "\",\"displayName\":\"a\\uD800b\"}", "application/scim+json", Map.of());
        assertThat(surrogate.status()).as(surrogate.raw()).isEqualTo(400);
        assertThat(surrogate.json().get("scimType").asText()).isEqualTo("invalidValue");
        Api.Response inName = api.send("POST", "/scim/v2/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                + "\"userName\":\"" + lone + "\",\"x\\uDC00\":1}", "application/scim+json", Map.of());
        assertThat(inName.status()).isEqualTo(400);
        // A pair, escaped, is ordinary text.
        String paired = org.scimflow.support.Fixtures.unique("pair");
        Api.Response pair = api.send("POST", "/scim/v2/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                + "\"userName\":\"" + paired + "\",\"displayName\":\"a\\uD83D\\uDE00b\"}", "application/scim+json", Map.of());
        assertThat(pair.status()).isEqualTo(201);
        assertThat(api.get("/scim/v2/Users/" + pair.json().get("id").asText()).json().get("displayName").asText())
                .isEqualTo("a\uD83D\uDE00b");

        String overlong = org.scimflow.support.Fixtures.unique("overlong");
        byte[] head = ("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + overlong
                + "\",\"displayName\":\"a").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] tail = "b\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + 2 + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        body[head.length] = (byte) 0xC0; // '/' in two bytes: not UTF-8
        body[head.length + 1] = (byte) 0xAF;
        System.arraycopy(tail, 0, body, head.length + 2, tail.length);
        var raw = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + "/scim/v2/Users"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/scim+json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(raw.statusCode()).as(raw.body()).isEqualTo(400);
        assertThat(mapper.readTree(raw.body()).get("scimType").asText()).isEqualTo("invalidSyntax");

        for (String refused : java.util.List.of(lone, overlong)) {
            assertThat(jdbc.queryForObject("select count(*) from scim_user where user_name_lc = ?", Long.class,
                    refused.toLowerCase(java.util.Locale.ROOT))).isZero();
        }
        for (String requestId : java.util.List.of(surrogate.header("X-Request-Id"), inName.header("X-Request-Id"),
                raw.headers().firstValue("X-Request-Id").orElseThrow())) {
            AuditAwait.record(jdbc, requestId, row -> assertThat(row.get("outcome")).isEqualTo("failure"));
        }
        assertThat(verifier.verify().findings()).isEmpty();
    }

    /** Bodies Camel's HTTP binding would parse or inflate before any route sees them: 415, audited, nothing created. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadableBodies")
    void bodiesThatAreNotJsonAre415(String name, String contentType, Map<String, String> headers, String body) {
        long users = jdbc.queryForObject("select count(*) from scim_user", Long.class);
        Api.Response r = api.send("POST", "/scim/v2/Users", body, contentType, headers);
        assertThat(r.status()).as(r.raw()).isEqualTo(415);
        assertThat(r.json().get("schemas").get(0).asText()).isEqualTo(ScimErrors.ERROR_SCHEMA);
        assertThat(jdbc.queryForObject("select count(*) from scim_user", Long.class)).isEqualTo(users);
        AuditAwait.record(jdbc, r.header("X-Request-Id"), row -> assertThat(row.get("http_status")).isEqualTo(415));
    }

    static Stream<Arguments> unreadableBodies() {
        String user = "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"form-1\"}";
        return Stream.of(
                Arguments.of("form body", "application/x-www-form-urlencoded", Map.of(), user),
                Arguments.of("form field without '='", "application/x-www-form-urlencoded", Map.of(), "a"),
                Arguments.of("gzip that is not", "application/scim+json", Map.of("Content-Encoding", "gzip"), user),
                Arguments.of("form with an unknown charset", "application/x-www-form-urlencoded; charset=bogus",
                        Map.of(), user));
    }

    /** Paths a client wrote wrong get a SCIM 400 (a leading '//' was a 500), with a request id, audited. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"//scim/v2/Users", "/scim/v2//Users", "/scim/v2/Users/./x",
            "/scim/v2/Users;jsessionid=1", "/scim/v2/Users/%2e%2e", "/audit/v1//events"})
    void pathsNotInNormalFormAre400(String path) {
        Api.Response r = api.get(path);
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.json().get("scimType").asText()).isEqualTo("invalidSyntax");
        AuditAwait.record(jdbc, r.header("X-Request-Id"), row -> assertThat(row.get("http_status")).isEqualTo(400));
    }

    @ParameterizedTest(name = "filter {0}")
    @MethodSource("badFilters")
    void badFilterIs400InvalidFilter(String filter) {
        Api.Response r = api.get("/scim/v2/Users?filter=" + Api.q(filter));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("scimType").asText()).isEqualTo("invalidFilter");
    }

    static Stream<String> badFilters() {
        return Stream.of("userName eq", "userName zz \"x\"", "shoeSize eq 4", "(userName eq \"a\"",
                "active eq \"yes\"", "meta.created gt \"yesterday\"", "password eq \"x\"", "x".repeat(5000),
                "userName eq \"a\\u0000b\"", "displayName eq \"a\\uD800b\"", "meta.created gt \"+294277-01-01T00:00:00Z\"",
                "meta.lastModified lt \"-4714-01-01T00:00:00Z\"");
    }

    /**
     * Valid filters that once failed in the database: presence and null on columns that are not text
     * (compared with '' before), and a single complex attribute compared directly (its "value").
     */
    @ParameterizedTest(name = "filter {0}")
    @MethodSource("presenceOnTypedColumns")
    void presenceAndNullWorkOnEveryColumnType(String filter, boolean matchesEveryone) {
        String enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        assertThat(api.post("/scim/v2/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\",\"" + enterprise
                + "\"],\"userName\":\"" + org.scimflow.support.Fixtures.unique("managed") + "\",\"active\":true,\""
                + enterprise + "\":{\"manager\":{\"value\":\"m-1\"}}}").status()).isEqualTo(201);
        Api.Response r = api.get("/scim/v2/Users?count=0&filter=" + Api.q(filter));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        long all = api.get("/scim/v2/Users?count=0").json().get("totalResults").asLong();
        assertThat(r.json().get("totalResults").asLong()).isEqualTo(matchesEveryone ? all : 0);
    }

    static Stream<Arguments> presenceOnTypedColumns() {
        return Stream.of(Arguments.of("meta.created pr", true), Arguments.of("meta.lastModified ne null", true),
                Arguments.of("meta.created eq null", false), Arguments.of("id pr", true), Arguments.of("id eq null", false),
                Arguments.of("not (meta.created pr)", false), Arguments.of("active pr or not (active pr)", true),
                Arguments.of("active eq null or active ne null", true),
                Arguments.of("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq \"nobody-x6\"", false),
                Arguments.of("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager co \"nobody-x7\"", false));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/audit/v1/events?to=%2B294277-01-01T00:00:00Z",
            "/audit/v1/events?from=-4714-01-01T00:00:00Z", "/audit/v1/stats/hourly?from=-999999999-01-01T00:00:00Z"})
    void auditTimesBeyondFourDigitYearsAre400(String path) {
        Api.Response r = api.get(path);
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.json().get("scimType").asText()).isEqualTo("invalidValue");
    }

    static Stream<Arguments> mistakes() {
        String patch = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":";
        String bulk = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":";
        String missingGroup = "/scim/v2/Groups/00000000-0000-4000-8000-000000000000";
        return Stream.of(
                Arguments.of("GET", "/scim/v2/Users?startIndex=abc", null, 400, "invalidValue"),
                Arguments.of("GET", "/scim/v2/Users?count=99999999999", null, 400, "invalidValue"),
                Arguments.of("GET", "/scim/v2/Users?sortBy=name", null, 400, "invalidValue"),
                Arguments.of("GET", "/scim/v2/Users?sortBy=emails%5Btype", null, 400, "invalidValue"),
                Arguments.of("GET", "/scim/v2/Users?sortBy=meta.version", null, 400, "invalidValue"),
                Arguments.of("GET", "/scim/v2/Users?filter=" + Api.q("name[givenName eq \"x\"]"), null, 400, "invalidFilter"),
                Arguments.of("GET", "/scim/v2/Users?filter=" + Api.q("emails.value gt 5"), null, 400, "invalidFilter"),
                Arguments.of("GET", "/scim/v2/Users?filter=" + Api.q("groups.display eq \"x\""), null, 400, "invalidFilter"),
                Arguments.of("GET", "/scim/v2/Users?filter=" + Api.q("meta.resourceType eq \"User\""), null, 400, "invalidFilter"),
                Arguments.of("GET", "/scim/v2/Groups?filter=" + Api.q("members.display eq \"x\""), null, 400, "invalidFilter"),
                Arguments.of("GET", "/scim/v2/Groups?filter=" + Api.q("members[value co \"x\"]"), null, 400, "invalidFilter"),
                Arguments.of("POST", "/scim/v2/Users/.search", "{\"count\":\"many\"}", 400, "invalidValue"),
                Arguments.of("POST", "/scim/v2/Groups", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"]}",
                        400, "invalidValue"),
                Arguments.of("POST", "/scim/v2/Groups", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],"
                        + "\"displayName\":\"g\",\"members\":[{\"value\":\"x\",\"type\":\"Printer\"}]}", 400, "invalidValue"),
                Arguments.of("PATCH", missingGroup, patch + "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"x\"}]}]}",
                        404, null),
                Arguments.of("PATCH", missingGroup, patch + "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"x\\\"]\"}]}",
                        404, null),
                Arguments.of("PATCH", missingGroup, patch + "[{\"op\":\"replace\",\"path\":\"members[value eq \\\"x\\\"].display\","
                        + "\"value\":\"y\"}]}", 404, null),
                // A missing resource is 404 before its PATCH body is judged.
                Arguments.of("PATCH", "/scim/v2/Users/00000000-0000-4000-8000-000000000000", patch + "{}}", 404, null),
                Arguments.of("POST", "/scim/v2/Bulk", "[]", 400, "invalidSyntax"),
                Arguments.of("POST", "/scim/v2/Bulk", bulk + "{}}", 400, "invalidSyntax"),
                Arguments.of("POST", "/scim/v2/Bulk", bulk + "[{\"method\":\"DELETE\"}]}", 400, "invalidSyntax"),
                Arguments.of("POST", "/scim/v2/Bulk", bulk + "[1]}", 400, "invalidSyntax"),
                Arguments.of("POST", "/scim/v2/Bulk", "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],"
                        + "\"failOnErrors\":\"1\",\"Operations\":[{\"method\":\"DELETE\",\"path\":\"/Users/x\"}]}", 400,
                        "invalidValue"),
                Arguments.of("POST", "/scim/v2/Bulk", bulk + "[{\"method\":\"POST\",\"bulkId\":\"a\",\"path\":\"/Users\"},"
                        + "{\"method\":\"POST\",\"bulkId\":\"a\",\"path\":\"/Users\"}]}", 400, "invalidValue"));
    }

    /** Client mistakes on every endpoint are 4xx with the SCIM error body, never a 500. */
    @ParameterizedTest(name = "{0} {1} -> {3}")
    @MethodSource("mistakes")
    void clientMistakesAreNever500(String method, String path, String body, int status, String scimType) {
        Api.Response r = api.send(method, path, body, body == null ? null : "application/scim+json", Map.of());
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.json().at("/schemas/0").asText()).isEqualTo(ScimErrors.ERROR_SCHEMA);
        if (scimType != null) {
            assertThat(r.json().get("scimType").asText()).isEqualTo(scimType);
        }
    }

    @org.junit.jupiter.api.Test
    void oversizeBodyIs413AndAudited() {
        String big = "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + "x".repeat(1_100_000) + "\"}";
        Api.Response r = api.post("/scim/v2/Users", big);
        assertThat(r.status()).isEqualTo(413);
        AuditAwait.record(jdbc, r.header("X-Request-Id"), row -> assertThat(row.get("http_status")).isEqualTo(413));
    }

    /** Without a Content-Length (chunked) nothing refuses the body up front: reading it stops past the limit. */
    @org.junit.jupiter.api.Test
    void oversizeChunkedBodyIs413AndCreatesNothing() throws Exception {
        String userName = Fixtures.unique("chunked");
        byte[] big = ("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + userName
                + "\",\"title\":\"" + "x".repeat(1_100_000) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.base() + "/scim/v2/Users"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/scim+json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
                .build();
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                .send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(r.body()).contains("urn:ietf:params:scim:api:messages:2.0:Error");
        assertThat(api.get("/scim/v2/Users?filter=" + Api.q("userName eq \"" + userName + "\"")).json()
                .get("totalResults").asInt()).isZero();
    }

    @org.junit.jupiter.api.Test
    void unknownIdIs404ForEveryVerb() {
        String missing = "/scim/v2/Users/00000000-0000-4000-8000-000000000000";
        assertThat(api.get(missing).status()).isEqualTo(404);
        assertThat(api.put(missing, "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"u\"}").status())
                .isEqualTo(404);
        assertThat(api.patch(missing, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"add\",\"path\":\"title\",\"value\":\"t\"}]}").status()).isEqualTo(404);
        assertThat(api.delete(missing).status()).isEqualTo(404);
        assertThat(api.get("/scim/v2/Users/not-a-uuid").status()).isEqualTo(404);
    }

    @org.junit.jupiter.api.Test
    void badPatchesAreRejected() {
        String id = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("badpatch")))
                .json().get("id").asText();
        String p = "/scim/v2/Users/" + id;
        assertThat(api.patch(p, "{\"Operations\":[]}").json().get("scimType").asText()).isEqualTo("invalidSyntax");
        assertThat(api.patch(p, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"jump\",\"path\":\"title\"}]}").json().get("scimType").asText())
                .isEqualTo("invalidSyntax");
        assertThat(api.patch(p, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"replace\",\"path\":\"nope\",\"value\":1}]}").json().get("scimType").asText())
                .isEqualTo("invalidPath");
        assertThat(api.patch(p, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"remove\"}]}").json().get("scimType").asText()).isEqualTo("noTarget");
        assertThat(api.patch(p, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"replace\",\"path\":\"id\",\"value\":\"x\"}]}").json().get("scimType").asText())
                .isEqualTo("mutability");
        assertThat(api.patch(p, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"remove\",\"path\":\"userName\"}]}").json().get("scimType").asText())
                .isEqualTo("invalidValue");
        assertThat(api.get(p).json().at("/meta/version").asText()).isEqualTo("W/\"1\"");
    }
}
