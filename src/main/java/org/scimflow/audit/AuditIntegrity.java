package org.scimflow.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.scimflow.config.ScimflowProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Runs verifications against the database and the external checkpoint folder, keeps each result,
 * and reports the last one (API, console badge, health). One verification runs at a time: a caller who
 * asks while one runs gets that run's result, so repeated requests cannot stack full scans of the log.
 */
@Component
public class AuditIntegrity implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(AuditIntegrity.class);
    static final String VERIFY_ACTION = "audit.verify";

    private final AuditVerifier verifier;
    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final ScimflowProperties props;
    private final CheckpointStore checkpoints;
    private final AuditWriter writer;
    private final TimeBasedEpochGenerator ids;
    private final AuditMaintenance maintenance;
    private final AuditSequencer sequencer;
    /** The verification running now, or null; guarded by {@code this}. */
    private CompletableFuture<ObjectNode> running;
    /** Callers waiting for a verification someone else started. */
    private final AtomicInteger joined = new AtomicInteger();

    public AuditIntegrity(AuditVerifier verifier, JdbcTemplate jdbc, ObjectMapper mapper, ScimflowProperties props,
                          CheckpointStore checkpoints, AuditWriter writer, TimeBasedEpochGenerator ids,
                          AuditMaintenance maintenance, AuditSequencer sequencer) {
        this.maintenance = maintenance;
        this.sequencer = sequencer;
        this.writer = writer;
        this.ids = ids;
        this.verifier = verifier;
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.props = props;
        this.checkpoints = checkpoints;
    }

    /**
     * Full verification, including the checkpoint copies outside the database; the result is stored. If a
     * verification is already running, waits for it and returns its result (its {@code source} and
     * {@code checkedAt} say whose run it was and when it started) instead of starting a second one.
     */
    public ObjectNode verifyNow(String source) throws IOException {
        CompletableFuture<ObjectNode> run;
        boolean mine = false;
        synchronized (this) {
            if (running == null) {
                running = new CompletableFuture<>();
                mine = true;
            }
            run = running;
        }
        if (mine) {
            try {
                run.complete(runAndStore(source));
            } catch (IOException | RuntimeException | Error e) {
                run.completeExceptionally(e);
            } finally {
                synchronized (this) {
                    running = null;
                }
            }
        } else {
            joined.incrementAndGet();
        }
        try {
            return run.join().deepCopy();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e.getCause() instanceof RuntimeException re ? re : e;
        } finally {
            if (!mine) {
                joined.decrementAndGet();
            }
        }
    }

    /** How many callers are waiting for a verification someone else started. */
    int joinedCallers() {
        return joined.get();
    }

    private ObjectNode runAndStore(String source) throws IOException {
        // Every record acknowledged before this run is in the log it checks.
        sequencer.drain();
        // Read as the verification goes: a copy identical to the database's is not kept (see AuditVerifier).
        Iterable<Checkpoint> external = CheckpointStore.files(props.checkpointDir(), mapper);
        // Not while retention changes partitions (see AuditMaintenance).
        AuditVerifier.Result r = maintenance.exclusively(() -> verifier.verify(new AuditVerifier.Options(1,
                Long.MAX_VALUE, external, "external (" + props.checkpointDir() + ")")));
        ObjectNode json = toJson(r);
        json.put("source", source);
        jdbc.update("insert into audit_verification (checked_at, status, checked, first_seq, last_seq, findings, source) "
                        + "values (?, ?, ?, ?, ?, ?::jsonb, ?)", Timestamp.from(r.checkedAt()), r.status(), r.checked(),
                r.firstSeq(), r.lastSeq(), mapper.writeValueAsString(json.get("findings")), source);
        return json;
    }

    /**
     * The scheduled run ({@code scimflow.audit.verification.interval}): verifies, stores the result and
     * records it as an {@code audit.verify} event of the system, a failure when the log is not intact.
     */
    public void runScheduled() throws IOException {
        String interval = props.getAudit().getVerification().getInterval();
        if (interval == null || interval.isBlank() || interval.trim().matches("0+[a-z]*")) {
            return;
        }
        java.time.Instant started = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        ObjectNode result = verifyNow("schedule");
        String status = result.path("status").asText();
        ArrayNode changes = mapper.createArrayNode();
        changes.addObject().put("path", "status").put("new", status);
        changes.addObject().put("path", "checked").put("new", result.path("checked").asLong());
        changes.addObject().put("path", "findings").put("new", result.path("findings").size());
        AuditEvent.Builder event = AuditEvent.builder().eventId(ids.generate()).eventTime(started)
                .correlationId("verification-" + UUID.randomUUID()).channel(AuditEvent.Channel.SYSTEM)
                .action(VERIFY_ACTION).actorType("system").actorId("audit-verification").changes(changes);
        if ("intact".equals(status)) {
            event.outcome(AuditEvent.Outcome.SUCCESS);
        } else {
            JsonNode first = result.path("findings").path(0);
            String detail = first.isMissingNode() ? status
                    : status + ": " + result.path("findings").size() + " finding(s), the first "
                    + first.path("kind").asText() + " at seq " + first.path("seq").asLong();
            log.warn("Scheduled audit verification: {}", detail);
            event.outcome(AuditEvent.Outcome.FAILURE).error(detail);
        }
        writer.append(event.build());
    }

    /** The last stored result, or status "never". */
    public ObjectNode last() {
        ObjectNode out = mapper.createObjectNode();
        List<ObjectNode> rows = jdbc.query("select * from audit_verification order by id desc limit 1", (rs, i) -> {
            ObjectNode n = mapper.createObjectNode();
            n.put("status", rs.getString("status"));
            n.put("checkedAt", rs.getObject("checked_at", java.time.OffsetDateTime.class).toInstant().toString());
            n.put("checked", rs.getLong("checked"));
            n.put("firstSeq", rs.getLong("first_seq"));
            n.put("lastSeq", rs.getLong("last_seq"));
            n.put("source", rs.getString("source"));
            try {
                n.set("findings", mapper.readTree(rs.getString("findings")));
            } catch (IOException e) {
                n.putArray("findings");
            }
            return n;
        });
        if (rows.isEmpty()) {
            out.put("status", "never");
            out.putArray("findings");
        } else {
            out = rows.get(0);
        }
        putLastCheckpoint(out);
        return out;
    }

    public ObjectNode toJson(AuditVerifier.Result r) {
        ObjectNode n = mapper.createObjectNode();
        n.put("status", r.status());
        n.put("checkedAt", r.checkedAt().toString());
        n.put("checked", r.checked());
        n.put("firstSeq", r.firstSeq());
        n.put("lastSeq", r.lastSeq());
        n.put("checkpointsChecked", r.checkpointsChecked());
        ArrayNode f = n.putArray("findings");
        r.findings().forEach(x -> f.addObject().put("seq", x.seq()).put("kind", x.kind()).put("detail", x.detail()));
        putLastCheckpoint(n);
        return n;
    }

    private void putLastCheckpoint(ObjectNode n) {
        checkpoints.latest().ifPresentOrElse(c -> {
            ObjectNode cp = n.putObject("lastCheckpoint");
            cp.put("treeSize", c.treeSize());
            cp.put("rootHash", HexFormat.of().formatHex(c.rootHash()));
            cp.put("keyId", c.keyId());
            cp.put("createdAt", c.createdAt().toString());
        }, () -> n.putNull("lastCheckpoint"));
    }

    @Override
    public Health health() {
        List<String> status = jdbc.queryForList("select status from audit_verification order by id desc limit 1",
                String.class);
        if (!status.isEmpty() && status.get(0).equals("tampered")) {
            return Health.status("TAMPERED").withDetail("lastVerification", "tampered").build();
        }
        return Health.up().withDetail("lastVerification", status.isEmpty() ? "never" : status.get(0)).build();
    }
}
