package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.scimflow.config.ScimflowProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Publishes the audit table (the outbox) to Kafka in seq order, at least once.
 *
 * <p>Each tick reads the records after the stored position, sends them with an idempotent producer,
 * waits for every acknowledgement, and only then advances the position. Kafka unset or down means the
 * records wait; a repeat after a crash carries the same {@code event_id} (header {@code scimflow_event_id}).
 */
@Component("auditRelay")
public class AuditRelay implements DisposableBean, HealthIndicator {

    public static final String RELAY = "kafka";
    public static final String CHECKPOINT_RELAY = "kafka-checkpoints";
    public static final String EVENT_ID_HEADER = "scimflow_event_id";
    private static final Logger log = LoggerFactory.getLogger(AuditRelay.class);

    private final AuditStore store;
    private final AuditRecordCodec codec;
    private final ObjectMapper mapper;
    private final ScimflowProperties props;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile boolean closing;
    private boolean topicReady;
    /** Read by health and tests without waiting on a publishing attempt (which can take seconds). */
    private volatile boolean failing;

    private final CheckpointStore checkpoints;

    public AuditRelay(AuditStore store, AuditRecordCodec codec, ObjectMapper mapper, ScimflowProperties props,
                      CheckpointStore checkpoints) {
        this.checkpoints = checkpoints;
        this.store = store;
        this.codec = codec;
        this.mapper = mapper;
        this.props = props;
    }

    /** Publishes what is pending; returns how many records were acknowledged by Kafka. */
    public synchronized int publishPending() {
        if (!props.getKafka().isEnabled() || closing) {
            return 0;
        }
        int published = 0;
        long position = store.relayPosition(RELAY);
        int batch = props.getAudit().getRelay().getBatchSize();
        while (true) {
            List<AuditEvent> pending = store.after(position, batch);
            if (!pending.isEmpty()) {
                try {
                    send(pending);
                } catch (Exception e) {
                    fail(e, store.headSeq() - position + " record(s) wait in the audit store");
                    return published;
                }
                position = pending.get(pending.size() - 1).seq();
                store.relayAdvance(RELAY, position);
                published += pending.size();
            }
            if (pending.size() == batch) {
                continue;
            }
            // The outage is over only when records and checkpoints both went out.
            if (publishCheckpoints() && failing) {
                log.info("Audit relay reached Kafka again; published up to seq {}", position);
                failing = false;
            }
            return published;
        }
    }

    /** Signed checkpoints go to their own topic, so a copy exists that the database cannot change. */
    private boolean publishCheckpoints() {
        long position = store.relayPosition(CHECKPOINT_RELAY);
        // In signing order: a checkpoint signed later at a past tree size (a purge boundary) goes out too.
        List<CheckpointStore.Relayed> pending = checkpoints.relayAfter(position, 100);
        if (pending.isEmpty()) {
            return true;
        }
        try {
            KafkaProducer<String, byte[]> p = producer();
            String topic = props.getAudit().getCheckpointTopic();
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (CheckpointStore.Relayed r : pending) {
                Checkpoint c = r.checkpoint();
                acks.add(p.send(new ProducerRecord<>(topic, String.valueOf(c.treeSize()),
                        mapper.writeValueAsBytes(c.toJson(mapper)))));
            }
            p.flush();
            for (Future<RecordMetadata> a : acks) {
                a.get(30, TimeUnit.SECONDS);
            }
            store.relayAdvance(CHECKPOINT_RELAY, pending.get(pending.size() - 1).relaySeq());
            return true;
        } catch (Exception e) {
            fail(e, pending.size() + " checkpoint(s) wait in the database");
            return false;
        }
    }

    /** Drops the producer for a fresh start next tick; warns once per outage, not once per tick. */
    private void fail(Exception e, String waiting) {
        reset();
        if (!failing) {
            log.warn("Audit relay cannot reach Kafka ({}); {}", e.getClass().getSimpleName(), waiting);
            failing = true;
        }
    }

    private void send(List<AuditEvent> events) throws Exception {
        KafkaProducer<String, byte[]> p = producer();
        String topic = props.getAudit().getTopic();
        // Fails fast (max.block.ms) when no broker answers, before anything is queued.
        p.partitionsFor(topic);
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        for (AuditEvent e : events) {
            String key = e.subjectId() != null ? e.subjectId() : e.correlationId();
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value(e));
            record.headers().add(EVENT_ID_HEADER, e.eventId().toString().getBytes(StandardCharsets.UTF_8));
            acks.add(p.send(record));
        }
        p.flush();
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException ee) {
                throw (Exception) ee.getCause();
            }
        }
    }

    /**
     * The record as Kafka gets it. One that Kafka would refuse as too large (a write of very large attribute
     * values carries them old and new) would stop the relay at that record for good, every later record
     * waiting behind it. Such a record goes out without its {@code changes} (and, should that not be
     * enough, as its identifying fields only), with {@code scimflowReduced} saying what was left out; the
     * full record stays in the audit store, where its hash is checked.
     */
    byte[] value(AuditEvent e) throws IOException {
        int max = props.getAudit().getRelay().getMaxRecordBytes();
        ObjectNode full = SiemFields.enrich(codec.toJson(e), e);
        byte[] bytes = mapper.writeValueAsBytes(full);
        if (bytes.length <= max) {
            return bytes;
        }
        ObjectNode reduced = full.deepCopy();
        reduced.remove("changes");
        reduced.putObject("scimflowReduced").put("fullBytes", bytes.length).put("omitted", "changes")
                .put("reason", "record larger than " + max + " bytes; the whole record is in the audit store");
        byte[] smaller = mapper.writeValueAsBytes(reduced);
        if (smaller.length <= max) {
            return smaller;
        }
        ObjectNode minimal = mapper.createObjectNode();
        for (String field : List.of("schemaVersion", "eventId", "seq", "prevHash", "recordHash", "eventTime",
                "recordedTime", "correlationId", "channel", "action", "outcome")) {
            if (full.has(field)) {
                minimal.set(field, full.get(field));
            }
        }
        minimal.putObject("scimflowReduced").put("fullBytes", bytes.length).put("omitted", "all but identifying fields")
                .put("reason", "record larger than " + max + " bytes; the whole record is in the audit store");
        return mapper.writeValueAsBytes(minimal);
    }

    private KafkaProducer<String, byte[]> producer() {
        String bootstrap = props.getKafka().getBootstrapServers();
        if (!topicReady) {
            Properties a = new Properties();
            a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
            a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
            try (Admin admin = Admin.create(a)) {
                for (String topic : List.of(props.getAudit().getTopic(), props.getAudit().getCheckpointTopic())) {
                    try {
                        admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty())))
                                .all().get(5, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw new IllegalStateException("cannot create topic " + topic, e.getCause());
                        }
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot create topic", e);
            }
            topicReady = true;
        }
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "scimflow-audit-relay");
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            producer = new KafkaProducer<>(p);
        }
        return producer;
    }

    private void reset() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(1));
            producer = null;
        }
        topicReady = false;
    }

    /**
     * On shutdown, fail any send in flight at once: records not acknowledged stay unpublished in the store
     * and go out after the restart, and Camel's graceful shutdown does not wait on a broker.
     */
    @org.springframework.context.event.EventListener(org.springframework.context.event.ContextClosedEvent.class)
    public void onClose() {
        closing = true;
        KafkaProducer<String, byte[]> p = producer;
        if (p != null) {
            p.close(java.time.Duration.ZERO);
        }
    }

    /** True from a failed attempt to the next one that Kafka acknowledges. */
    public boolean isFailing() {
        return failing;
    }

    /**
     * Health component {@code auditRelay}: RELAY_FAILING (HTTP 200; the hub still takes writes, the records
     * wait) while Kafka cannot be reached, with how many records are not yet published.
     */
    @Override
    public Health health() {
        if (!props.getKafka().isEnabled()) {
            return Health.up().withDetail("kafka", "off").build();
        }
        long waiting = Math.max(0, store.headSeq() - store.relayPosition(RELAY));
        return (failing ? Health.status("RELAY_FAILING") : Health.up())
                .withDetail("kafka", "on").withDetail("waiting", waiting).build();
    }

    @Override
    public synchronized void destroy() {
        reset();
    }
}
