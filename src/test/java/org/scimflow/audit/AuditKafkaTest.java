package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;

/** Audit records reach the Kafka topic from the outbox: keyed by subject, with the event id header. */
class AuditKafkaTest extends HubTest {

    @org.springframework.beans.factory.annotation.Autowired
    Checkpointer checkpointer;

    /** Reads the whole topic from the start with a fresh consumer group. */
    static Map<String, ConsumerRecord<String, String>> readTopic(String brokers, int expectAtLeast, Duration max) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, ConsumerRecord<String, String>> byEventId = new HashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of("scimflow.audit.v1"));
            long deadline = System.nanoTime() + max.toNanos();
            while (System.nanoTime() < deadline && byEventId.size() < expectAtLeast) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    var h = r.headers().lastHeader(AuditRelay.EVENT_ID_HEADER);
                    byEventId.put(h == null ? "missing-" + r.offset() : new String(h.value(), StandardCharsets.UTF_8), r);
                }
            }
        }
        return byEventId;
    }

    @Test
    void everyAuditRecordIsPublishedWithSubjectKeyAndEventIdHeader() throws Exception {
        String name = Fixtures.unique("kafka");
        String id = api.post("/scim/v2/Users", Fixtures.user(name)).json().get("id").asText();
        api.get("/scim/v2/Users/" + id);
        api.withToken(null).get("/scim/v2/Users");

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                jdbc.queryForObject("select last_seq from audit_relay_state where relay = 'kafka'", Long.class)
                        >= jdbc.queryForObject("select seq from audit_chain_head", Long.class) - 2);
        long upTo = jdbc.queryForObject("select last_seq from audit_relay_state where relay = 'kafka'", Long.class);
        List<Map<String, Object>> rows = jdbc.queryForList(
                "select event_id::text id, subject_id, correlation_id, seq from audit_event where seq <= ? order by seq", upTo);

        Map<String, ConsumerRecord<String, String>> published = readTopic(kafkaBrokers(), rows.size(), Duration.ofSeconds(20));

        for (Map<String, Object> row : rows) {
            ConsumerRecord<String, String> rec = published.get((String) row.get("id"));
            assertThat(rec).as("record for seq %s", row.get("seq")).isNotNull();
            String expectedKey = row.get("subject_id") != null ? (String) row.get("subject_id") : (String) row.get("correlation_id");
            assertThat(rec.key()).isEqualTo(expectedKey);
            JsonNode value = mapper.readTree(rec.value());
            assertThat(value.get("seq").asLong()).isEqualTo(((Number) row.get("seq")).longValue());
            assertThat(value.get("eventId").asText()).isEqualTo(row.get("id"));
        }
        assertThat(published.values().stream().map(ConsumerRecord::key)).contains(id);
        // SIEM-ready: the create is an OCSF Account Change / ECS iam user creation.
        JsonNode create = published.values().stream().map(r -> {
            try {
                return mapper.readTree(r.value());
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }).filter(v -> v.path("action").asText().equals("scim.user.create") && v.at("/subject/id").asText().equals(id))
                .findFirst().orElseThrow();
        assertThat(create.at("/ocsf/class_uid").asInt()).isEqualTo(3001);
        assertThat(create.at("/ocsf/activity_id").asInt()).isEqualTo(1);
        assertThat(create.at("/event/category/0").asText()).isEqualTo("iam");
        assertThat(create.at("/event/type").toString()).contains("user", "creation");
        assertThat(create.at("/event/outcome").asText()).isEqualTo("success");
        assertThat(create.at("/user/target/id").asText()).isEqualTo(id);
    }

    @Test
    void checkpointsArePublishedToTheirOwnTopic() {
        org.scimflow.scim.AuditAwait.record(jdbc, api.get("/scim/v2/Users?count=0").header("X-Request-Id"), row -> { });
        Checkpoint c = checkpointer.checkpointNow();
        assertThat(checkpointKeysUntil(String.valueOf(c.treeSize()))).contains(String.valueOf(c.treeSize()));
    }

    @Test
    void aCheckpointSignedAtAPastTreeSizeIsPublishedToo() {
        org.scimflow.scim.AuditAwait.record(jdbc, api.get("/scim/v2/Users?count=0").header("X-Request-Id"), row -> { });
        checkpointer.checkpointNow();
        // Retention signs checkpoints at purge boundaries, below sizes the relay already published.
        long past = jdbc.queryForObject("select min(s) from generate_series(1, (select max(tree_size) from audit_checkpoint)) s "
                + "where not exists (select 1 from audit_checkpoint where tree_size = s)", Long.class);
        Checkpoint c = checkpointer.checkpointAt(past);
        assertThat(c.treeSize()).isEqualTo(past);
        assertThat(checkpointKeysUntil(String.valueOf(past))).contains(String.valueOf(past));
    }

    @Test
    void theCommandVerifiesAgainstTheCheckpointsInKafka() {
        org.scimflow.scim.AuditAwait.record(jdbc, api.get("/scim/v2/Users?count=0").header("X-Request-Id"), row -> { });
        Checkpoint c = checkpointer.checkpointNow();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "select last_seq from audit_relay_state where relay = 'kafka-checkpoints'", Long.class) >= c.treeSize());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = new AuditCli(new java.io.PrintStream(out), System.err).run(new String[] {"audit", "verify",
                "--data-dir", DATA_DIR.toString(), "--checkpoints", "kafka", "--kafka", kafkaBrokers()});
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("from kafka").contains("INTACT");
    }

    /** Keys (tree sizes) read from the checkpoint topic until {@code key} is among them, or 20 s pass. */
    private java.util.Set<String> checkpointKeysUntil(String key) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBrokers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        java.util.Set<String> sizes = new java.util.HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of("scimflow.audit.checkpoints.v1"));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> sizes.add(r.key()));
                return sizes.contains(key);
            });
        }
        return sizes;
    }

    @org.springframework.beans.factory.annotation.Autowired
    AuditWriter writer;

    /**
     * Kafka refuses a record over its size limit (1 MiB by default, as on this broker). Such a record once
     * stopped the relay for good, every later record waiting behind it; it now goes out without its
     * changes, marked, and the records after it follow.
     */
    @Test
    void aRecordTooLargeForKafkaGoesOutReducedAndTheRecordsAfterItFollow() throws Exception {
        com.fasterxml.jackson.databind.node.ArrayNode changes = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
        changes.addObject().put("path", "nickName").put("old", "o".repeat(700_000)).put("new", "n".repeat(700_000));
        AuditEvent big = writer.append(AuditEvent.builder().eventId(com.fasterxml.uuid.Generators.timeBasedEpochGenerator().generate())
                .eventTime(java.time.Instant.now()).correlationId("big-record").channel("system").action("test.big")
                .outcome("success").actorType("client").subjectType("User").subjectId("big-" + UUID.randomUUID())
                .changes(changes).build());
        String after = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("after-big"))).header("X-Request-Id");
        auditLinked();
        long bigSeq = jdbc.queryForObject("select seq from audit_event where event_id = ?", Long.class, big.eventId());
        byte[] bigHash = jdbc.queryForObject("select record_hash from audit_event where seq = ?", byte[].class, bigSeq);
        String afterId = jdbc.queryForObject("select event_id::text from audit_event where correlation_id = ? "
                + "and action = 'scim.user.create'", String.class, after);

        Map<String, ConsumerRecord<String, String>> seen = new HashMap<>();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            seen.putAll(readTopic(kafkaBrokers(), Integer.MAX_VALUE, Duration.ofSeconds(2)));
            return seen.containsKey(big.eventId().toString()) && seen.containsKey(afterId);
        });
        JsonNode reduced = new com.fasterxml.jackson.databind.ObjectMapper().readTree(seen.get(big.eventId().toString()).value());
        assertThat(reduced.has("changes")).isFalse();
        assertThat(reduced.at("/scimflowReduced/omitted").asText()).isEqualTo("changes");
        assertThat(reduced.at("/scimflowReduced/fullBytes").asLong()).isGreaterThan(1_400_000);
        assertThat(reduced.get("seq").asLong()).isEqualTo(bigSeq);
        assertThat(reduced.get("recordHash").asText()).isEqualTo(java.util.HexFormat.of().formatHex(bigHash));
        assertThat(jdbc.queryForObject("select length(changes::text) from audit_event where seq = ?", Integer.class, bigSeq))
                .as("the store keeps the whole record").isGreaterThan(1_400_000);
    }
}
