package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Kafka down means delay, never loss: the hub runs with a broker address where nothing listens, takes
 * writes, and once a real broker starts on that address every record arrives.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KafkaOutageTest {

    static final int KAFKA_PORT = freePort();
    static final String TOKEN = "outage-token-5d1e";
    static EmbeddedKafkaKraftBroker broker;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) throws IOException {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("scimflow.test.tmp", "target")), "outage-");
        r.add("scimflow.data-dir", dir::toString);
        r.add("scimflow.bootstrap-token", () -> TOKEN);
        r.add("scimflow.kafka.bootstrap-servers", () -> "127.0.0.1:" + KAFKA_PORT);
        r.add("scimflow.audit.relay.period-ms", () -> "100");
    }

    @LocalServerPort
    int port;
    @Autowired
    AuditSequencer sequencer;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    AuditRelay relay;
    @Autowired
    com.fasterxml.jackson.databind.ObjectMapper mapper;

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.destroy();
        }
    }

    @Test
    void recordsWrittenWhileTheBrokerIsUnreachableArriveOnceItIsBack() {
        Api api = new Api("http://localhost:" + port, TOKEN, mapper);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            Api.Response r = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("outage")));
            assertThat(r.status()).isEqualTo(201);
            ids.add(r.json().get("id").asText());
        }
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() ->
                jdbc.queryForObject("select count(*) from audit_event", Long.class) >= 25);
        // The relay tries, fails, and keeps the records: nothing is marked published. One attempt gives up
        // after about 5 s; the bound is wide for a loaded build machine.
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(relay::isFailing);
        assertThat(jdbc.queryForObject("select last_seq from audit_relay_state where relay = 'kafka'", Long.class)).isZero();
        // Monitoring sees the stall, and the hub still serves (200).
        Api.Response health = api.withToken(null).get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("RELAY_FAILING");

        // The KRaft test broker ignores kafkaPorts(): pin its listener to the address the hub was given.
        // No topics of its own: the retrying relay reaches the broker the moment it listens and creates
        // them (as against a fresh production cluster); a broker creating them too raced it and failed
        // with TopicExistsException. Auto-creation is off, so the relay's own creation is what works.
        broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.brokerProperty("listeners", "EXTERNAL://127.0.0.1:" + KAFKA_PORT + ",CONTROLLER://localhost:0");
        broker.brokerProperty("auto.create.topics.enable", "false");
        broker.afterPropertiesSet();

        sequencer.drain();
        long head = jdbc.queryForObject("select seq from audit_chain_head", Long.class);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                jdbc.queryForObject("select last_seq from audit_relay_state where relay = 'kafka'", Long.class) >= head);
        List<Map<String, Object>> rows = jdbc.queryForList("select event_id::text id from audit_event where seq <= ?", head);
        var published = AuditKafkaTest.readTopic(broker.getBrokersAsString(), rows.size(), Duration.ofSeconds(30));
        for (Map<String, Object> row : rows) {
            assertThat(published).containsKey((String) row.get("id"));
        }
        assertThat(published.values().stream().map(r -> r.key())).containsAll(ids);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !relay.isFailing());
        assertThat(api.withToken(null).get("/actuator/health").json().get("status").asText()).isEqualTo("UP");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
