package org.scimflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.scimflow.audit.AuditKafkaTestSupport;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;

/**
 * A password and a bearer token go through every path the hub has — create, replace, patch, rejected
 * calls, an error — and then are searched for in every place they must never be: responses, audit rows,
 * Kafka records and the log file.
 */
class SecretsNeverLeakTest extends HubTest {

    static final String PASSWORD = "Pw-7f3a9c1e-never-leak";


    @Test
    void passwordAndTokensAppearNowhere() throws Exception {
        List<Api.Response> responses = new ArrayList<>();
        String name = Fixtures.unique("secret");
        String create = Fixtures.user(name).replace("\"active\":true", "\"active\":true,\"password\":\"" + PASSWORD + "\"");
        Api.Response created = api.post("/scim/v2/Users", create);
        responses.add(created);
        String id = created.json().get("id").asText();
        responses.add(api.put("/scim/v2/Users/" + id, create));
        responses.add(api.patch("/scim/v2/Users/" + id, Fixtures.patch(
                "[{\"op\":\"replace\",\"path\":\"password\",\"value\":\"" + PASSWORD + "\"}]")));
        responses.add(api.patch("/scim/v2/Users/" + id, Fixtures.patch(
                "[{\"op\":\"replace\",\"value\":{\"password\":\"" + PASSWORD + "\",\"title\":\"t\"}}]")));
        // A rejected create that carries the password, and calls with a wrong token in the header.
        responses.add(api.post("/scim/v2/Users", create.replace("\"userName\"", "\"shoeSize\":1,\"userName\"")));
        responses.add(api.withToken("wrong-" + PASSWORD).get("/scim/v2/Users/" + id));
        responses.add(api.get("/scim/v2/Users/" + id));
        responses.add(api.get("/audit/v1/events?subject=" + id));

        for (Api.Response r : responses) {
            assertThat(r.raw()).doesNotContain(PASSWORD).doesNotContain(TOKEN);
            r.headers().map().forEach((k, v) -> assertThat(v.toString()).as(k)
                    .doesNotContain(PASSWORD).doesNotContain(TOKEN));
        }
        // The password change is recorded, as a change, without its value.
        auditLinked();
        List<Map<String, Object>> rows = jdbc.queryForList("select * from audit_event where subject_id = ?", id);
        assertThat(rows.toString()).contains("[REDACTED]");

        long head = jdbc.queryForObject("select seq from audit_chain_head", Long.class);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                jdbc.queryForObject("select last_seq from audit_relay_state where relay='kafka'", Long.class) >= head);

        // The log, and whatever still waits in the inbox to be linked into it.
        String allAudit = String.join("\n", jdbc.queryForList("select row_to_json(a)::text from audit_event a "
                + "union all select i::text from audit_inbox i", String.class));
        assertThat(allAudit).doesNotContain(PASSWORD).doesNotContain(TOKEN).doesNotContain(AUDITOR_TOKEN)
                .doesNotContain(SCIM_TOKEN);
        String identity = String.join("\n", jdbc.queryForList("select resource::text from scim_user", String.class));
        assertThat(identity).doesNotContain(PASSWORD);

        String kafka = AuditKafkaTestSupport.readAllValues(kafkaBrokers(), (int) head, Duration.ofSeconds(20));
        assertThat(kafka).contains(id).doesNotContain(PASSWORD).doesNotContain(TOKEN);

        String log = Files.readString(LOG_FILE);
        assertThat(log).contains("Started").doesNotContain(PASSWORD).doesNotContain(TOKEN)
                .doesNotContain(AUDITOR_TOKEN).doesNotContain(SCIM_TOKEN);
    }
}
