package org.scimflow.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the whole hub on a random port, on a real embedded PostgreSQL and a
 * real in-JVM KRaft Kafka broker. Every subclass shares one Spring context (same annotations, same
 * dynamic properties), so the database and broker start once per test run.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@EmbeddedKafka(kraft = true, partitions = 1, topics = {"scimflow.audit.v1"})
public abstract class HubTest {

    @Autowired
    protected org.scimflow.audit.AuditSequencer auditSequencer;

    /**
     * Links the records waiting in the audit inbox into the log now; the sequencer does it every 50 ms. For
     * tests that read {@code audit_event} right after a call (the audit API does the same before it reads).
     */
    protected void auditLinked() {
        auditSequencer.drain();
    }

    public static final String TOKEN = "test-bootstrap-token-9f2c1d7e";
    /** A client with the auditor role only. */
    public static final String AUDITOR_TOKEN = "test-auditor-token-41b8aa03";
    /** A client with the scim role only. */
    public static final String SCIM_TOKEN = "test-scim-token-7c0e55d2";
    public static final Path DATA_DIR;
    public static final Path LOG_FILE;

    static {
        try {
            Path target = Path.of(System.getProperty("scimflow.test.tmp", "target"));
            Files.createDirectories(target);
            DATA_DIR = Files.createTempDirectory(target, "hub-data-");
            // Written by src/test/resources/logback-test.xml for the whole test JVM.
            LOG_FILE = target.resolve("scimflow-test.log");
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void hubProperties(DynamicPropertyRegistry r) {
        r.add("scimflow.data-dir", DATA_DIR::toString);
        r.add("scimflow.bootstrap-token", () -> TOKEN);
        r.add("scimflow.kafka.bootstrap-servers", () -> "${spring.embedded.kafka.brokers}");
        r.add("scimflow.audit.relay.period-ms", () -> "100");
        // Passed to the embedded server as configured (EmbeddedPostgresDurabilityTest reads them back).
        r.add("scimflow.embedded-postgres.settings.work_mem", () -> "8MB");
        r.add("scimflow.embedded-postgres.settings.max-wal-size", () -> "2GB");
        r.add("scimflow.security.clients[0].id", () -> "auditor-1");
        r.add("scimflow.security.clients[0].token-sha256", () -> sha256Hex(AUDITOR_TOKEN));
        r.add("scimflow.security.clients[0].roles", () -> "auditor");
        r.add("scimflow.security.clients[1].id", () -> "idp-1");
        r.add("scimflow.security.clients[1].token-sha256", () -> sha256Hex(SCIM_TOKEN));
        r.add("scimflow.security.clients[1].roles", () -> "scim");
        // A company extension declared in configuration, as a deployment would (see Fixtures.ACME).
        String ext = "scimflow.scim.extensions[0].";
        r.add(ext + "schema", () -> Fixtures.ACME);
        r.add(ext + "name", () -> "AcmeUser");
        r.add(ext + "description", () -> "Acme employee attributes");
        r.add(ext + "resource-type", () -> "User");
        String[][] attrs = {
                {"badgeNumber", "integer", "false", "default"},
                {"costCenterCode", "string", "false", "default"},
                {"clearance", "string", "false", "default"},
                {"hireDate", "dateTime", "false", "default"},
                {"projects", "string", "true", "default"},
                {"contractor", "boolean", "false", "default"},
                {"internalNote", "string", "false", "request"}};
        for (int i = 0; i < attrs.length; i++) {
            String[] a = attrs[i];
            String at = ext + "attributes[" + i + "].";
            r.add(at + "name", () -> a[0]);
            r.add(at + "type", () -> a[1]);
            r.add(at + "multi-valued", () -> a[2]);
            r.add(at + "returned", () -> a[3]);
        }
        r.add(ext + "attributes[1].case-exact", () -> "true");
        r.add(ext + "attributes[2].canonical-values", () -> "public,confidential,secret");
    }

    public static String sha256Hex(String token) {
        return java.util.HexFormat.of().formatHex(org.scimflow.security.ClientRegistry.sha256(token));
    }

    @LocalServerPort
    protected int port;
    @Autowired
    protected JdbcTemplate jdbc;
    @Autowired
    protected ObjectMapper mapper;
    @Autowired
    private EmbeddedKafkaBroker embeddedKafka;
    protected Api api;

    /**
     * The shared hub's broker. Not {@code spring.embedded.kafka.brokers}: that property is JVM-wide and
     * every other embedded broker a test starts (outage, crash recovery) overwrites it.
     */
    protected String kafkaBrokers() {
        return embeddedKafka.getBrokersAsString();
    }

    @BeforeEach
    void api() {
        api = new Api("http://localhost:" + port, TOKEN, mapper);
    }
}
