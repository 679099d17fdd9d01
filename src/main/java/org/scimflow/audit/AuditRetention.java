package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.config.SecretFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Monthly partitions of the audit log and their retention (docs/decisions/0011-audit-retention.md).
 *
 * <p>Each run creates the partitions of the coming months, then, oldest first, purges every month that
 * ended more than {@code scimflow.audit.retention.days} ago: a signed checkpoint exactly at the month's
 * last record, an NDJSON export of its records with the signed manifest into the archive folder, checked
 * offline with {@link ExportVerifier}, then in one transaction the {@code audit_archive} row,
 * {@code audit_drop_partition} (which re-checks everything in SQL) and an {@code audit.purge} event. A
 * month that fails stays in place, and so do the ones after it; the failure is reported and recorded.
 */
@Component("auditRetention")
public class AuditRetention {

    public static final String PURGE_ACTION = "audit.purge";
    public static final String SUBJECT_TYPE = "AuditPartition";
    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);

    /** One partition of {@code audit_event}, as {@code audit_partitions()} reports it. */
    public record Partition(String name, boolean isDefault, Instant from, Instant to, Long firstSeq, Long lastSeq,
                            long estimatedRows, boolean appendOnly) { }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Checkpointer checkpointer;
    private final CheckpointStore checkpoints;
    private final AuditExporter exporter;
    private final AuditStore store;
    private final AuditWriter writer;
    private final AuditEventFactory events;
    private final TimeBasedEpochGenerator ids;
    private final SigningKeys keys;
    private final ObjectMapper mapper;
    private final ScimflowProperties props;
    private final Clock clock;
    private final AuditMaintenance maintenance;
    private volatile ObjectNode lastRun;

    public AuditRetention(JdbcTemplate jdbc, TransactionTemplate tx, Checkpointer checkpointer, CheckpointStore checkpoints,
                          AuditExporter exporter, AuditStore store, AuditWriter writer, AuditEventFactory events,
                          TimeBasedEpochGenerator ids, SigningKeys keys, ObjectMapper mapper, ScimflowProperties props,
                          Clock clock, AuditMaintenance maintenance) {
        this.maintenance = maintenance;
        this.jdbc = jdbc;
        this.tx = tx;
        this.checkpointer = checkpointer;
        this.checkpoints = checkpoints;
        this.exporter = exporter;
        this.store = store;
        this.writer = writer;
        this.events = events;
        this.ids = ids;
        this.keys = keys;
        this.mapper = mapper;
        this.props = props;
        this.clock = clock;
        int days = props.getAudit().getRetention().getDays();
        if (days > 0 && days < 365) {
            log.warn("Audit retention is {} days: PCI DSS 10.5.1 asks for 12 months of audit history", days);
        }
    }

    /** Partitions of the coming months exist before the first record needs one, even after a long stop. */
    @EventListener(ApplicationReadyEvent.class)
    public void onStart() {
        try {
            List<String> created = maintenance.exclusively(this::ensurePartitions);
            if (!created.isEmpty()) {
                log.info("Audit partitions created: {}", created);
            }
        } catch (RuntimeException e) {
            log.warn("Audit partitions could not be created at start: {}", e.getMessage());
        }
    }

    /** Creates this month's partition and the next ones; returns the names of those it created. */
    public List<String> ensurePartitions() {
        return jdbc.queryForList("select * from audit_ensure_partitions(?)", String.class,
                props.getAudit().getRetention().getMonthsAhead());
    }

    public List<Partition> partitions() {
        return jdbc.query("select * from audit_partitions() order by is_default, range_from", (rs, i) -> new Partition(
                rs.getString("partition_name"), rs.getBoolean("is_default"), instant(rs.getObject("range_from", OffsetDateTime.class)),
                instant(rs.getObject("range_to", OffsetDateTime.class)), (Long) rs.getObject("first_seq"),
                (Long) rs.getObject("last_seq"), rs.getLong("estimated_rows"), rs.getBoolean("append_only")));
    }

    /** Months that ended before this instant are due; null when retention keeps everything. */
    public Instant cutoff() {
        int days = props.getAudit().getRetention().getDays();
        return days <= 0 ? null : clock.instant().minus(Duration.ofDays(days));
    }

    /** The scheduled run (Camel timer {@code audit-retention}). */
    public void runScheduled() {
        run(null);
    }

    /**
     * Creates partitions ahead, then purges every month past retention, oldest first, stopping at the first
     * failure. {@code request} is the admin call that asked for the run, or null for the scheduled one: it
     * becomes the actor of the {@code audit.purge} events. Returns what was done. Waits for a verification
     * the hub is running to finish first ({@link AuditMaintenance}).
     */
    public ObjectNode run(RequestContext request) {
        return maintenance.exclusively(() -> runNow(request));
    }

    private ObjectNode runNow(RequestContext request) {
        Instant started = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String correlationId = request != null ? request.correlationId() : "retention-" + UUID.randomUUID();
        ObjectNode out = mapper.createObjectNode();
        out.put("ranAt", started.toString());
        out.put("retentionDays", props.getAudit().getRetention().getDays());
        ArrayNode created = out.putArray("partitionsCreated");
        ArrayNode purged = out.putArray("purged");
        ArrayNode failed = out.putArray("failed");
        try {
            ensurePartitions().forEach(created::add);
        } catch (RuntimeException e) {
            log.warn("Audit partitions could not be created: {}", e.getMessage());
            failed.addObject().put("step", "ensure-partitions").put("error", message(e));
        }
        Instant cutoff = cutoff();
        out.put("cutoff", cutoff == null ? null : cutoff.toString());
        if (cutoff != null) {
            for (Partition p : partitions()) {
                if (p.isDefault() || p.to() == null || p.to().isAfter(cutoff)) {
                    continue;
                }
                try {
                    purged.add(purge(p, request, correlationId, started));
                } catch (Exception e) {
                    log.warn("Audit partition {} was not purged: {}", p.name(), message(e));
                    failed.addObject().put("step", "purge").put("partition", p.name()).put("error", message(e));
                    recordFailure(p, request, correlationId, started, e);
                    break; // purges cut a prefix: the later months wait for this one
                }
            }
        }
        lastRun = out;
        return out;
    }

    /** Partitions, archives, purges and the last run, for auditors. */
    public ObjectNode status() {
        ObjectNode out = mapper.createObjectNode();
        var cfg = props.getAudit().getRetention();
        Instant cutoff = cutoff();
        out.put("retentionDays", cfg.getDays());
        out.put("monthsAhead", cfg.getMonthsAhead());
        out.put("interval", cfg.getInterval());
        out.put("archiveDir", props.archiveDir().toString());
        out.put("cutoff", cutoff == null ? null : cutoff.toString());
        ArrayNode parts = out.putArray("partitions");
        for (Partition p : partitions()) {
            ObjectNode n = parts.addObject().put("name", p.name()).put("default", p.isDefault())
                    .put("from", str(p.from())).put("to", str(p.to()));
            n.put("firstSeq", p.firstSeq());
            n.put("lastSeq", p.lastSeq());
            n.put("estimatedRows", p.estimatedRows());
            n.put("appendOnly", p.appendOnly());
            n.put("due", cutoff != null && !p.isDefault() && p.to() != null && !p.to().isAfter(cutoff));
        }
        ArrayNode archives = out.putArray("archives");
        jdbc.query("select * from audit_archive order by id", rs -> {
            archives.addObject().put("id", rs.getLong("id")).put("partition", rs.getString("partition_name"))
                    .put("firstSeq", rs.getLong("first_seq")).put("lastSeq", rs.getLong("last_seq"))
                    .put("records", rs.getLong("row_count")).put("file", rs.getString("file_name"))
                    .put("sha256", HexFormat.of().formatHex(rs.getBytes("sha256")))
                    .put("checkpoint", rs.getLong("checkpoint_size"))
                    .put("verifiedAt", instant(rs.getObject("verified_at", OffsetDateTime.class)).toString());
        });
        ArrayNode purges = out.putArray("purges");
        jdbc.query("select * from audit_purge order by id", rs -> {
            ObjectNode n = purges.addObject().put("id", rs.getLong("id")).put("partition", rs.getString("partition_name"))
                    .put("from", instant(rs.getObject("range_from", OffsetDateTime.class)).toString())
                    .put("to", instant(rs.getObject("range_to", OffsetDateTime.class)).toString());
            n.put("firstSeq", (Long) rs.getObject("first_seq"));
            n.put("lastSeq", (Long) rs.getObject("last_seq"));
            byte[] boundary = rs.getBytes("boundary_hash");
            n.put("boundaryHash", boundary == null ? null : HexFormat.of().formatHex(boundary));
            n.put("records", rs.getLong("row_count"));
            n.put("archiveId", (Long) rs.getObject("archive_id"));
            n.put("purgedAt", instant(rs.getObject("purged_at", OffsetDateTime.class)).toString());
            n.put("purgedBy", rs.getString("purged_by"));
        });
        out.set("lastRun", lastRun);
        return out;
    }

    private ObjectNode purge(Partition p, RequestContext request, String correlationId, Instant started) throws Exception {
        Map<String, Object> rows = jdbc.queryForMap("select min(seq) as first, max(seq) as last, count(*) as n "
                + "from audit_event where chain_time >= ? and chain_time < ?", Timestamp.from(p.from()), Timestamp.from(p.to()));
        long count = ((Number) rows.get("n")).longValue();
        ObjectNode result = mapper.createObjectNode().put("partition", p.name()).put("from", p.from().toString())
                .put("to", p.to().toString()).put("records", count);
        if (count == 0) {
            tx.executeWithoutResult(s -> {
                Map<String, Object> dropped = jdbc.queryForMap("select * from audit_drop_partition(?)", p.name());
                result.put("purgeId", ((Number) dropped.get("purge_id")).longValue());
                writer.append(purgeEvent(p, request, correlationId, started, AuditEvent.Outcome.SUCCESS, null)
                        .subjectName(p.name() + " (no records)").changes(changes(0, null, null, null, null, null, null))
                        .build());
            });
            log.info("Audit partition {} (no records) dropped", p.name());
            return result;
        }
        long first = ((Number) rows.get("first")).longValue();
        long last = ((Number) rows.get("last")).longValue();
        if (props.getKafka().isEnabled() && store.relayPosition(AuditRelay.RELAY) < last) {
            throw new IllegalStateException("records up to seq " + last + " are not yet published to Kafka (relay at seq "
                    + store.relayPosition(AuditRelay.RELAY) + ")");
        }
        // The checkpoint where verification will resume, and the one where this archive starts.
        Checkpoint end = checkpointer.checkpointAt(last);
        ExportManifest.Start start = null;
        if (first > 1) {
            CheckpointStore.WithFrontier before = checkpoints.withFrontierAt(first - 1).orElseThrow(() ->
                    new IllegalStateException("no checkpoint at seq " + (first - 1) + ", where the previous purge ended"));
            start = new ExportManifest.Start(before.checkpoint(), before.frontier());
        }
        Path file = writeArchive(p, first, last, end, start);
        ExportVerifier.Result verified = new ExportVerifier(keys).verify(file);
        var manifest = ExportVerifier.readManifest(file);
        if (!verified.intact() || manifest == null || verified.records() != count
                || manifest.path("firstSeq").asLong() != first || manifest.path("lastSeq").asLong() != last
                || manifest.path("checkpoint").path("treeSize").asLong() != last) {
            throw new IllegalStateException("the archive " + file + " does not verify: " + verified.findings());
        }
        byte[] sha256 = sha256(file);
        Instant verifiedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String fileName = file.getFileName().toString();
        ExportManifest.Start from = start;
        tx.executeWithoutResult(s -> {
            long archiveId = jdbc.queryForObject("insert into audit_archive (partition_name, first_seq, last_seq, row_count, "
                            + "file_name, sha256, checkpoint_size, verified_at) values (?, ?, ?, ?, ?, ?, ?, ?) returning id",
                    Long.class, p.name(), first, last, count, fileName, sha256, last, Timestamp.from(verifiedAt));
            Map<String, Object> dropped = jdbc.queryForMap("select * from audit_drop_partition(?)", p.name());
            byte[] boundary = (byte[]) dropped.get("boundary_hash");
            writer.append(purgeEvent(p, request, correlationId, started, AuditEvent.Outcome.SUCCESS, null)
                    .subjectName("seq " + first + ".." + last)
                    .targetSystem("archive").targetId(fileName)
                    .changes(changes(count, first, last, boundary, fileName, sha256, end.treeSize()))
                    .build());
            result.put("purgeId", ((Number) dropped.get("purge_id")).longValue()).put("archiveId", archiveId)
                    .put("boundaryHash", HexFormat.of().formatHex(boundary));
        });
        result.put("firstSeq", first).put("lastSeq", last).put("archive", fileName)
                .put("sha256", HexFormat.of().formatHex(sha256)).put("checkpoint", end.treeSize())
                .put("startCheckpoint", from == null ? null : from.checkpoint().treeSize());
        log.info("Audit partition {} purged: seq {}..{} archived in {}", p.name(), first, last, file);
        return result;
    }

    /** Writes the export next to its final name, flushes it to disk, then moves it into place. */
    private Path writeArchive(Partition p, long first, long last, Checkpoint end, ExportManifest.Start start)
            throws IOException {
        // Archives hold whole audit records (names, addresses, what changed): for the hub's user only.
        Path dir = props.archiveDir();
        SecretFiles.createDirectories(dir);
        Path file = dir.resolve(p.name() + ".seq-" + first + "-" + last + ".ndjson");
        Path part = dir.resolve(file.getFileName() + ".part");
        AuditQuery q = new AuditQuery(null, null, null, null, null, null, null, null, null, null, first - 1, false,
                AuditQuery.MAX_LIMIT);
        ObjectNode filters = mapper.createObjectNode().put("partition", p.name()).put("fromSeq", first).put("toSeq", last);
        try {
            SecretFiles.createEmpty(part);
            try (FileOutputStream fos = new FileOutputStream(part.toFile());
                 OutputStream os = new BufferedOutputStream(fos, 1 << 16)) {
                exporter.write(os, "ndjson", q, filters, last, end, start);
                os.flush();
                fos.getFD().sync();
            }
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can sync a directory; the file itself is on disk.
        }
        return file;
    }

    private AuditEvent.Builder purgeEvent(Partition p, RequestContext request, String correlationId, Instant started,
                                          String outcome, String error) {
        AuditEvent.Builder b = request != null
                ? events.forRequest(request, PURGE_ACTION).channel(AuditEvent.Channel.ADMIN)
                : AuditEvent.builder().eventId(ids.generate()).eventTime(started).correlationId(correlationId)
                        .channel(AuditEvent.Channel.SYSTEM).action(PURGE_ACTION).actorType("system")
                        .actorId("audit-retention");
        return b.outcome(outcome).subjectType(SUBJECT_TYPE).subjectId(p.name()).error(error);
    }

    /** What went: the month's records (old); where they went: the archive and its checkpoint (new). */
    private ArrayNode changes(long count, Long first, Long last, byte[] boundary, String file, byte[] sha256, Long checkpoint) {
        ArrayNode c = mapper.createArrayNode();
        c.addObject().put("path", "records").put("old", count);
        if (first != null) {
            c.addObject().put("path", "firstSeq").put("old", first);
            c.addObject().put("path", "lastSeq").put("old", last);
            c.addObject().put("path", "boundaryHash").put("old", HexFormat.of().formatHex(boundary));
            c.addObject().put("path", "archive").put("new", file);
            c.addObject().put("path", "archiveSha256").put("new", HexFormat.of().formatHex(sha256));
            c.addObject().put("path", "checkpoint").put("new", checkpoint);
        }
        return c;
    }

    private void recordFailure(Partition p, RequestContext request, String correlationId, Instant started, Exception e) {
        try {
            writer.append(purgeEvent(p, request, correlationId, started, AuditEvent.Outcome.FAILURE, message(e))
                    .subjectName(p.name()).build());
        } catch (RuntimeException again) {
            log.warn("The failed purge of {} could not be recorded: {}", p.name(), again.getMessage());
        }
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        // PostgreSQL adds "Where: PL/pgSQL function …" lines: the first line says what happened.
        int nl = m.indexOf('\n');
        m = nl > 0 ? m.substring(0, nl) : m;
        return m.length() > 500 ? m.substring(0, 500) : m;
    }

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest md = AuditExporter.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static String str(Instant t) {
        return t == null ? null : t.toString();
    }
}
