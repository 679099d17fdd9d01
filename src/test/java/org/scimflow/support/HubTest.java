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

    public static final String TOKEN = "test-bootstrap-token-9f2c1d7e";
    public static final Path DATA_DIR;
    public static final Path LOG_FILE;

    static {
        try {
            Path target = Path.of(System.getProperty("scimflow.test.tmp", "target"));
            Files.createDirectories(target);
            DATA_DIR = Files.createTempDirectory(target, "hub-data-");
            LOG_FILE = DATA_DIR.resolve("scimflow.log");
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
        r.add("logging.file.name", LOG_FILE::toString);
    }

    @LocalServerPort
    protected int port;
    @Autowired
    protected JdbcTemplate jdbc;
    @Autowired
    protected ObjectMapper mapper;
    protected Api api;

    @BeforeEach
    void api() {
        api = new Api("http://localhost:" + port, TOKEN, mapper);
    }
}
