package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.UseAdviceWith;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scimflow.audit.AuditDraft;
import org.scimflow.support.Fixtures;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.scimflow.support.Api;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real routes from routes/*.camel.yaml (REST verbs are inlined into their routes, so they are driven
 * over HTTP), advised with a spy on the audit route: every route ends in the audit tap,
 * failures become SCIM errors through the shared route configuration, and writes are marked as
 * already recorded so the tap does not add a second record.
 */
@CamelSpringBootTest
@UseAdviceWith
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ScimRoutesTest {

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("scimflow.test.tmp", "target")), "routes-");
        r.add("scimflow.data-dir", dir::toString);
        r.add("scimflow.bootstrap-token", () -> "routes-test-token");
        r.add("scimflow.kafka.bootstrap-servers", () -> "");
    }

    @Autowired
    CamelContext camel;
    @LocalServerPort
    int port;
    @Autowired
    ObjectMapper mapper;

    private static boolean advised;

    private Api api() {
        return new Api("http://localhost:" + port, "routes-test-token", mapper);
    }

    @BeforeEach
    void advise() throws Exception {
        if (!advised) {
            AdviceWith.adviceWith(camel, "audit-write", a -> a.weaveAddFirst().to("mock:audit").id("test-audit-spy"));
            AdviceWith.adviceWith(camel, "scim-groups-get", a -> a.weaveById("scim-groups-get-call").replace()
                    .throwException(new IllegalStateException("database on fire")));
            camel.start();
            advised = true;
        }
        MockEndpoint.resetMocks(camel);
    }

    @Test
    void createRunsTheBeanAnswers201AndTapsAnAlreadyRecordedExchange() throws Exception {
        MockEndpoint audit = camel.getEndpoint("mock:audit", MockEndpoint.class);
        audit.expectedMessageCount(1);

        Api.Response out = api().post("/scim/v2/Users", Fixtures.user(Fixtures.unique("route")));

        assertThat(out.status()).isEqualTo(201);
        JsonNode body = out.json();
        assertThat(body.get("id").asText()).hasSize(36);
        audit.assertIsSatisfied();
        AuditDraft draft = audit.getExchanges().get(0).getProperty(AuditDraft.PROPERTY, AuditDraft.class);
        assertThat(draft.action()).isEqualTo("scim.user.create");
        assertThat(draft.recorded()).isTrue();
        assertThat(draft.subjectId()).isEqualTo(body.get("id").asText());
    }

    @Test
    void aClientErrorBecomesAScimErrorAndIsTappedForTheRecord() throws Exception {
        MockEndpoint audit = camel.getEndpoint("mock:audit", MockEndpoint.class);
        audit.expectedMessageCount(1);

        Api.Response out = api().post("/scim/v2/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"]}");

        assertThat(out.status()).isEqualTo(400);
        JsonNode error = out.json();
        assertThat(error.get("scimType").asText()).isEqualTo("invalidValue");
        audit.assertIsSatisfied();
        AuditDraft draft = audit.getExchanges().get(0).getProperty(AuditDraft.PROPERTY, AuditDraft.class);
        assertThat(draft.recorded()).isFalse();
        assertThat(draft.scimType()).isEqualTo("invalidValue");
    }

    @Test
    void anUnexpectedFailureIs500WithAReferenceAndNoInternals() throws Exception {
        MockEndpoint audit = camel.getEndpoint("mock:audit", MockEndpoint.class);
        audit.expectedMessageCount(1);

        Api.Response out = api().get("/scim/v2/Groups/x");

        assertThat(out.status()).isEqualTo(500);
        String body = out.raw();
        assertThat(body).contains("Internal error, reference").doesNotContain("database on fire");
        audit.assertIsSatisfied();
        assertThat(audit.getExchanges().get(0).getProperty(AuditDraft.PROPERTY, AuditDraft.class).error())
                .startsWith("Internal error");
    }
}
