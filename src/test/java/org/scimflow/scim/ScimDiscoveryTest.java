package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scimflow.scim.schema.AttributeDefinition;
import org.scimflow.scim.schema.ScimSchemas;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;

/** /ServiceProviderConfig, /Schemas and /ResourceTypes over HTTP: what they list, and that they are read-only. */
class ScimDiscoveryTest extends HubTest {

    @Autowired
    ScimSchemas schemas;

    @Test
    void serviceProviderConfigAdvertisesWhatTheHubDoes() {
        Api.Response r = api.get("/scim/v2/ServiceProviderConfig");

        assertThat(r.status()).isEqualTo(200);
        JsonNode c = r.json();
        assertThat(c.at("/schemas/0").asText()).isEqualTo("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
        assertThat(c.at("/patch/supported").asBoolean()).isTrue();
        assertThat(c.at("/bulk/supported").asBoolean()).isTrue();
        assertThat(c.at("/bulk/maxOperations").asInt()).isEqualTo(1000);
        assertThat(c.at("/bulk/maxPayloadSize").asLong()).isEqualTo(1_048_576);
        assertThat(c.at("/filter/maxResults").asInt()).isEqualTo(1000);
        assertThat(c.at("/sort/supported").asBoolean()).isTrue();
        assertThat(c.at("/etag/supported").asBoolean()).isTrue();
        assertThat(c.at("/changePassword/supported").asBoolean()).isFalse();
        assertThat(c.at("/authenticationSchemes/0/type").asText()).isEqualTo("oauthbearertoken");
        assertThat(c.at("/meta/location").asText()).isEqualTo(api.base() + "/scim/v2/ServiceProviderConfig");
    }

    @Test
    void schemasListsCoreEnterpriseAndConfiguredExtensions() {
        Api.Response r = api.get("/scim/v2/Schemas");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().at("/schemas/0").asText()).isEqualTo(CoreSchemasUrn.LIST_RESPONSE);
        List<String> ids = new ArrayList<>();
        r.json().get("Resources").forEach(s -> ids.add(s.get("id").asText()));
        assertThat(ids).containsExactly("urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:core:2.0:Group", Fixtures.ENTERPRISE, Fixtures.ACME);
        assertThat(r.json().get("totalResults").asInt()).isEqualTo(4);
    }

    /** Every attribute the validator knows is advertised with the same characteristics, and nothing else is. */
    @Test
    void schemaDocumentsAreTheValidatorsDefinitions() {
        for (var def : schemas.schemas()) {
            Api.Response r = api.get("/scim/v2/Schemas/" + def.id());
            assertThat(r.status()).as(def.id()).isEqualTo(200);
            JsonNode attrs = r.json().get("attributes");
            assertThat(attrs).as(def.id()).hasSize(def.attributes().size());
            for (JsonNode a : attrs) {
                AttributeDefinition d = def.attribute(a.get("name").asText());
                assertThat(d).as(a.toString()).isNotNull();
                assertThat(a.get("type").asText()).isEqualTo(d.type().scimName);
                assertThat(a.get("multiValued").asBoolean()).isEqualTo(d.isMultiValued());
                assertThat(a.get("required").asBoolean()).isEqualTo(d.isRequired());
                assertThat(a.get("mutability").asText()).isEqualTo(d.mutability().scimName);
                assertThat(a.get("returned").asText()).isEqualTo(d.returned().scimName);
                assertThat(a.path("subAttributes").size()).isEqualTo(d.subAttributes().size());
            }
        }
    }

    @Test
    void userSchemaCarriesTheRfcCharacteristics() {
        JsonNode user = api.get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json();
        JsonNode userName = find(user, "userName");
        assertThat(userName.get("uniqueness").asText()).isEqualTo("server");
        assertThat(userName.get("caseExact").asBoolean()).isFalse();
        JsonNode password = find(user, "password");
        assertThat(password.get("returned").asText()).isEqualTo("never");
        assertThat(password.get("mutability").asText()).isEqualTo("writeOnly");
        JsonNode emails = find(user, "emails");
        assertThat(emails.findValuesAsText("name")).contains("value", "type", "primary", "display");
        JsonNode acme = api.get("/scim/v2/Schemas/" + Fixtures.ACME).json();
        assertThat(find(acme, "clearance").get("canonicalValues")).hasSize(3);
        assertThat(find(acme, "internalNote").get("returned").asText()).isEqualTo("request");
        assertThat(find(acme, "costCenterCode").get("caseExact").asBoolean()).isTrue();
    }

    @Test
    void resourceTypesListUsersAndGroupsWithTheirExtensions() {
        Api.Response list = api.get("/scim/v2/ResourceTypes");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("totalResults").asInt()).isEqualTo(2);

        JsonNode user = api.get("/scim/v2/ResourceTypes/User").json();
        assertThat(user.get("endpoint").asText()).isEqualTo("/Users");
        assertThat(user.get("schema").asText()).isEqualTo("urn:ietf:params:scim:schemas:core:2.0:User");
        assertThat(user.get("schemaExtensions").findValuesAsText("schema")).containsExactly(Fixtures.ENTERPRISE, Fixtures.ACME);
        JsonNode group = api.get("/scim/v2/ResourceTypes/Group").json();
        assertThat(group.get("endpoint").asText()).isEqualTo("/Groups");
        assertThat(group.has("schemaExtensions")).isFalse();
    }

    @Test
    void unknownSchemaOrResourceTypeIs404() {
        assertThat(api.get("/scim/v2/Schemas/urn:x:nope").status()).isEqualTo(404);
        Api.Response r = api.get("/scim/v2/ResourceTypes/Printer");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/schemas/0").asText()).isEqualTo(ScimErrors.ERROR_SCHEMA);
    }

    static Stream<Arguments> writes() {
        List<Arguments> out = new ArrayList<>();
        for (String path : List.of("/scim/v2/ServiceProviderConfig", "/scim/v2/Schemas", "/scim/v2/ResourceTypes",
                "/scim/v2/ResourceTypes/User", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")) {
            for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
                out.add(Arguments.of(method, path));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("writes")
    void discoveryIsReadOnly(String method, String path) {
        Api.Response r = api.send(method, path, "{}", "application/scim+json", Map.of());

        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("Allow")).isEqualTo("GET");
        assertThat(r.json().at("/schemas/0").asText()).isEqualTo(ScimErrors.ERROR_SCHEMA);
        assertThat(r.json().get("status").asText()).isEqualTo("405");
        AuditAwait.record(jdbc, r.header("X-Request-Id"), row -> assertThat(row.get("http_status")).isEqualTo(405));
    }

    @Test
    void otherUnsupportedVerbsAre405Too() {
        assertThat(api.send("PUT", "/scim/v2/Users", "{}", "application/scim+json", Map.of()).status()).isEqualTo(405);
        assertThat(api.get("/scim/v2/Bulk").status()).isEqualTo(405);
        assertThat(api.send("POST", "/scim/v2/Groups/00000000-0000-4000-8000-000000000000", "{}",
                "application/scim+json", Map.of()).header("Allow")).isEqualTo("GET, PUT, PATCH, DELETE");
    }

    @Test
    void discoveryNeedsTheScimRole() {
        assertThat(api.withToken(null).get("/scim/v2/Schemas").status()).isEqualTo(401);
        assertThat(api.withToken(AUDITOR_TOKEN).get("/scim/v2/ResourceTypes").status()).isEqualTo(403);
        assertThat(api.withToken(AUDITOR_TOKEN).send("POST", "/scim/v2/Schemas", "{}", "application/scim+json",
                Map.of()).status()).as("403 before 405").isEqualTo(403);
        assertThat(api.withToken(SCIM_TOKEN).get("/scim/v2/ServiceProviderConfig").status()).isEqualTo(200);
    }

    private static JsonNode find(JsonNode schema, String name) {
        for (JsonNode a : schema.get("attributes")) {
            if (a.get("name").asText().equals(name)) {
                return a;
            }
        }
        throw new AssertionError(name + " not in " + schema.get("id"));
    }

    /** The ListResponse URN, spelled out so the test does not reuse the code under test. */
    static final class CoreSchemasUrn {
        static final String LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    }
}
