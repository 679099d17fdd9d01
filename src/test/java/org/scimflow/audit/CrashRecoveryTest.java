package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scimflow.db.EmbeddedPostgresConfiguration;
import org.scimflow.support.Fixtures;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The hub runs as its own process and is killed with SIGKILL while it serves writes. After a restart on
 * the same data, every write that was answered 2xx has its identity row and its audit record, the chain
 * verifies, and Kafka ends up with every record.
 */
class CrashRecoveryTest {

    static final String TOKEN = "crash-token-31c9";
    static EmbeddedKafkaKraftBroker broker;
    static Path dataDir;
    Process hub;

    @BeforeAll
    static void broker() throws IOException {
        broker = new EmbeddedKafkaKraftBroker(1, 1, "scimflow.audit.v1");
        // Starting a broker sets the JVM-wide spring.embedded.kafka.brokers that the shared hub's tests
        // read; this one is gone after the class, so put the previous value back.
        String shared = System.getProperty(org.springframework.kafka.test.EmbeddedKafkaBroker.SPRING_EMBEDDED_KAFKA_BROKERS);
        broker.afterPropertiesSet();
        if (shared == null) {
            System.clearProperty(org.springframework.kafka.test.EmbeddedKafkaBroker.SPRING_EMBEDDED_KAFKA_BROKERS);
        } else {
            System.setProperty(org.springframework.kafka.test.EmbeddedKafkaBroker.SPRING_EMBEDDED_KAFKA_BROKERS, shared);
        }
        dataDir = Files.createTempDirectory(Path.of(System.getProperty("scimflow.test.tmp", "target")), "crash-");
    }

    @AfterAll
    static void stopBroker() {
        broker.destroy();
    }

    private Process start(int port) throws IOException {
        return start(port, Map.of());
    }

    private Process start(int port, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "org.scimflow.ScimflowApplication");
        pb.environment().put("SERVER_PORT", String.valueOf(port));
        pb.environment().put("SCIMFLOW_DATA_DIR", dataDir.toString());
        pb.environment().put("SCIMFLOW_BOOTSTRAP_TOKEN", TOKEN);
        pb.environment().put("SCIMFLOW_KAFKA_BOOTSTRAP_SERVERS", broker.getBrokersAsString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("hub.log").toFile()));
        Process p = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        return p;
    }

    @Test
    void aKilledHubLosesNoAcknowledgedWriteNorItsRecord() throws Exception {
        int port = freePort();
        // The first hub leaves every record in the inbox (it would link them an hour later): at the kill, the
        // acknowledged writes' records are all there, committed but not yet in the log.
        hub = start(port, Map.of("SCIMFLOW_AUDIT_SEQUENCING_INTERVAL", "1h"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Map<String, String> acknowledged = new ConcurrentHashMap<>(); // X-Request-Id -> user id
        AtomicBoolean go = new AtomicBoolean(true);
        ExecutorService writers = Executors.newFixedThreadPool(6);
        ObjectMapper mapper = new ObjectMapper();
        for (int w = 0; w < 6; w++) {
            writers.submit(() -> {
                while (go.get()) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/scim/v2/Users"))
                                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/scim+json")
                                .timeout(Duration.ofSeconds(5))
                                .POST(HttpRequest.BodyPublishers.ofString(Fixtures.user(Fixtures.unique("crash")))).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 201) {
                            acknowledged.put(r.headers().firstValue("X-Request-Id").orElseThrow(),
                                    mapper.readTree(r.body()).get("id").asText());
                        }
                    } catch (Exception connectionLost) {
                        // Expected once the hub is killed.
                    }
                }
                return null;
            });
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 150);
        hub.destroyForcibly();                                   // SIGKILL, mid-write
        assertThat(hub.waitFor(30, TimeUnit.SECONDS)).isTrue();
        go.set(false);
        writers.shutdown();
        assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        int acked = acknowledged.size();

        int port2 = freePort();
        hub = start(port2);
        assertThat(Files.readString(dataDir.resolve("hub.log"))).as("the restarted hub linked what the killed one left")
                .containsPattern("Sequenced [1-9][0-9]* audit records left in the inbox");
        JdbcTemplate db = embeddedDatabase();
        assertThat(db.queryForObject("select count(*) from audit_inbox", Long.class)).isZero();
        for (Map.Entry<String, String> ack : acknowledged.entrySet()) {
            assertThat(db.queryForObject("select count(*) from scim_user where id = ?::uuid", Long.class, ack.getValue()))
                    .as("user of acknowledged request %s", ack.getKey()).isEqualTo(1);
            assertThat(db.queryForObject("select count(*) from audit_event where correlation_id = ? and action = "
                    + "'scim.user.create' and outcome = 'success' and subject_id = ?", Long.class, ack.getKey(), ack.getValue()))
                    .as("audit record of acknowledged request %s", ack.getKey()).isEqualTo(1);
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new AuditCli(new PrintStream(out), System.err)
                .run(new String[] {"audit", "verify", "--data-dir", dataDir.toString()});
        assertThat(code).as(out.toString()).isZero();

        long head = db.queryForObject("select seq from audit_chain_head", Long.class);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                db.queryForObject("select last_seq from audit_relay_state where relay = 'kafka'", Long.class) >= head);
        List<String> ids = db.queryForList("select event_id::text from audit_event where seq <= ?", String.class, head);
        Set<String> published = AuditKafkaTest.readTopic(broker.getBrokersAsString(), ids.size(), Duration.ofSeconds(60)).keySet();
        assertThat(published).containsAll(ids);
        assertThat(acked).isGreaterThanOrEqualTo(150);
    }

    private static JdbcTemplate embeddedDatabase() throws IOException {
        int pgPort = Integer.parseInt(Files.readString(dataDir.resolve(EmbeddedPostgresConfiguration.PORT_FILE)).trim());
        return new JdbcTemplate(org.scimflow.db.EmbeddedDatabase.superuser(dataDir, pgPort));
    }

    @org.junit.jupiter.api.AfterEach
    void stopHub() throws InterruptedException {
        if (hub != null && hub.isAlive()) {
            hub.destroy();                                        // SIGTERM: graceful this time
            if (!hub.waitFor(60, TimeUnit.SECONDS)) {
                hub.destroyForcibly();
            }
        }
        File pid = dataDir.resolve("postgres").resolve("postmaster.pid").toFile();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !pid.exists());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
