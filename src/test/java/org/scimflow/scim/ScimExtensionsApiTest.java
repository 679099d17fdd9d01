package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;

/** The company extension declared in configuration (HubTest): validated, stored, filtered, sorted, patched. */
class ScimExtensionsApiTest extends HubTest {

    private static final String A = Fixtures.ACME;

    private static String acmeUser(String userName, String acmeJson) {
        return "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\",\"" + A + "\"],\"userName\":\"" + userName
                + "\",\"" + A + "\":" + acmeJson + "}";
    }

    @Test
    void typedAttributesAreStoredAndReturned() {
        Api.Response r = api.post("/scim/v2/Users", acmeUser(Fixtures.unique("acme"),
                "{\"badgeNumber\":1042,\"clearance\":\"SECRET\",\"hireDate\":\"2024-03-01T09:00:00Z\","
                        + "\"projects\":[\"apollo\",\"gemini\"],\"contractor\":\"False\",\"costCenterCode\":\"CC-9\"}"));

        assertThat(r.status()).isEqualTo(201);
        JsonNode ext = r.json().get(A);
        assertThat(ext.get("badgeNumber").asInt()).isEqualTo(1042);
        assertThat(ext.get("clearance").asText()).as("canonical spelling").isEqualTo("secret");
        assertThat(ext.get("contractor").isBoolean()).isTrue();
        assertThat(ext.get("projects")).hasSize(2);
        assertThat(r.json().get("schemas").findValuesAsText("")).isEmpty();
        assertThat(r.json().get("schemas").toString()).contains(A);
    }

    @Test
    void badValuesAreRejectedWithTheRightScimType() {
        String[][] bad = {
                {"{\"badgeNumber\":\"x\"}", "invalidValue"},
                {"{\"clearance\":\"top\"}", "invalidValue"},
                {"{\"hireDate\":\"yesterday\"}", "invalidValue"},
                {"{\"projects\":\"apollo\"}", "invalidValue"},
                {"{\"shoeSize\":42}", "invalidSyntax"}};
        for (String[] b : bad) {
            String name = Fixtures.unique("acme-bad");
            Api.Response r = api.post("/scim/v2/Users", acmeUser(name, b[0]));
            assertThat(r.status()).as(b[0]).isEqualTo(400);
            assertThat(r.json().get("scimType").asText()).as(b[0]).isEqualTo(b[1]);
            assertThat(jdbc.queryForObject("select count(*) from scim_user where user_name = ?", Long.class, name)).isZero();
        }
    }

    @Test
    void filterAndSortOnExtensionAttributes() {
        String prefix = Fixtures.unique("acmefs");
        List<String> ids = new ArrayList<>();
        int[] badges = {30, 10, 20};
        for (int i = 0; i < badges.length; i++) {
            ids.add(api.post("/scim/v2/Users", acmeUser(prefix + "-" + i, "{\"badgeNumber\":" + badges[i]
                    + ",\"hireDate\":\"202" + i + "-01-01T00:00:00Z\",\"projects\":[\"p" + i + "\"]}")).json()
                    .get("id").asText());
        }
        String scope = "userName sw \"" + prefix + "\" and ";

        Api.Response ge = api.get("/scim/v2/Users?filter=" + Api.q(scope + A + ":badgeNumber ge 20")
                + "&sortBy=" + Api.q(A + ":badgeNumber") + "&sortOrder=descending");
        assertThat(ge.json().get("totalResults").asInt()).isEqualTo(2);
        assertThat(ge.json().get("Resources").findValuesAsText("id")).containsExactly(ids.get(0), ids.get(2));

        Api.Response hired = api.get("/scim/v2/Users?filter=" + Api.q(scope + A + ":hireDate lt \"2021-06-01T00:00:00Z\"")
                + "&sortBy=" + Api.q(A + ":hireDate"));
        assertThat(hired.json().get("Resources").findValuesAsText("id")).containsExactly(ids.get(0), ids.get(1));

        Api.Response project = api.get("/scim/v2/Users?filter=" + Api.q(scope + A + ":projects eq \"P2\""));
        assertThat(project.json().get("Resources").findValuesAsText("id")).containsExactly(ids.get(2));
    }

    @Test
    void patchByUrnPathAndReturnedRequest() {
        String id = api.post("/scim/v2/Users", acmeUser(Fixtures.unique("acmep"),
                "{\"badgeNumber\":1,\"internalNote\":\"only on request\"}")).json().get("id").asText();

        Api.Response r = api.patch("/scim/v2/Users/" + id, Fixtures.patch(
                "[{\"op\":\"replace\",\"path\":\"" + A + ":badgeNumber\",\"value\":2},"
                        + "{\"op\":\"add\",\"path\":\"" + A + ":projects\",\"value\":[\"x\"]}]"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().at("/" + A + "/badgeNumber").asInt()).isEqualTo(2);
        assertThat(r.json().get(A).has("internalNote")).as("returned: request").isFalse();
        Api.Response asked = api.get("/scim/v2/Users/" + id + "?attributes=" + Api.q(A + ":internalNote"));
        assertThat(asked.json().at("/" + A + "/internalNote").asText()).isEqualTo("only on request");
        assertThat(asked.json().has("userName")).isFalse();
        assertThat(api.patch("/scim/v2/Users/" + id, Fixtures.patch(
                "[{\"op\":\"replace\",\"path\":\"" + A + ":badgeNumber\",\"value\":\"two\"}]")).status()).isEqualTo(400);
    }
}
