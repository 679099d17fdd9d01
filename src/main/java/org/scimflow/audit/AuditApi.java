package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.Writer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.scimflow.scim.ScimErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/** The audit API for auditors: query with cursor pagination, one event, and streaming export. */
@Component("auditApi")
public class AuditApi implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(AuditApi.class);

    private final AuditStore store;
    private final AuditRecordCodec codec;
    private final ObjectMapper mapper;
    private final AuditIntegrity integrity;
    private final SigningKeys keys;
    private final org.springframework.jdbc.core.JdbcTemplate jdbc;
    private final Checkpointer checkpointer;
    private final CheckpointStore checkpointStore;
    private final AuditExporter exporter;
    private final AuditRetention retention;
    private final AuditSequencer sequencer;
    private final ExecutorService exporters = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "audit-export");
        t.setDaemon(true);
        return t;
    });

    public AuditApi(AuditStore store, AuditRecordCodec codec, ObjectMapper mapper, AuditIntegrity integrity,
                    SigningKeys keys, org.springframework.jdbc.core.JdbcTemplate jdbc, Checkpointer checkpointer,
                    CheckpointStore checkpointStore, AuditExporter exporter, AuditRetention retention,
                    AuditSequencer sequencer) {
        this.sequencer = sequencer;
        this.checkpointStore = checkpointStore;
        this.retention = retention;
        this.exporter = exporter;
        this.checkpointer = checkpointer;
        this.store = store;
        this.codec = codec;
        this.mapper = mapper;
        this.integrity = integrity;
        this.keys = keys;
        this.jdbc = jdbc;
    }

    /** Runs a full verification now (database and external checkpoints) and returns the findings. */
    public void verify(Exchange ex) throws Exception {
        RouteAudit.draft(ex).action("audit.verify");
        json(ex, 200, mapper.writeValueAsBytes(integrity.verifyNow("api:" + RouteAudit.request(ex).actorId())));
    }

    /** The last verification result and the last checkpoint, for badges and health checks. */
    public void verifyLast(Exchange ex) throws Exception {
        RouteAudit.draft(ex).action("audit.verify.read");
        json(ex, 200, mapper.writeValueAsBytes(integrity.last()));
    }

    /**
     * Signed checkpoints by tree size, a page at a time ({@code limit}, default 100, at most 1,000;
     * {@code order=asc|desc}; {@code cursor} from the previous page): a busy log signs thousands a day.
     * {@code order=desc&limit=1} is the latest.
     */
    public void checkpoints(Exchange ex) throws Exception {
        RouteAudit.draft(ex).action("audit.checkpoints.read");
        // The events API's paging parameters, read the same way (no filters apply here).
        AuditQuery q = AuditQuery.from(name -> switch (name) {
            case "order", "limit", "cursor" -> ex.getIn().getHeader(name, String.class);
            default -> null;
        });
        List<Checkpoint> rows = checkpointStore.page(q.afterSeq(), q.descending(), q.limit());
        json(ex, 200, mapper.writeValueAsBytes(page("checkpoints", rows, q.limit(), c -> c.toJson(mapper),
                Checkpoint::treeSize)));
    }

    /**
     * A page of a list read one row past {@code limit}: the rows, their count and the cursor after the last
     * one, or null when that extra row shows there is nothing more.
     */
    private <T> ObjectNode page(String name, List<T> rows, int limit,
                                java.util.function.Function<T, com.fasterxml.jackson.databind.JsonNode> toJson,
                                java.util.function.ToLongFunction<T> position) {
        boolean more = rows.size() > limit;
        List<T> page = more ? rows.subList(0, limit) : rows;
        ObjectNode out = mapper.createObjectNode();
        ArrayNode arr = out.putArray(name);
        page.forEach(r -> arr.add(toJson.apply(r)));
        out.put("count", page.size());
        if (more) {
            out.put("nextCursor", AuditQuery.encodeCursor(position.applyAsLong(page.get(page.size() - 1))));
        } else {
            out.putNull("nextCursor");
        }
        return out;
    }

    /** Partitions, archives, purges and the last retention run. */
    public void retention(Exchange ex) throws Exception {
        RouteAudit.draft(ex).action("audit.retention.read");
        json(ex, 200, mapper.writeValueAsBytes(retention.status()));
    }

    /** Runs retention now (admin): partitions ahead, then every month past retention is archived and purged. */
    public void retentionRun(Exchange ex) throws Exception {
        RouteAudit.draft(ex).action("audit.retention.run");
        json(ex, 200, mapper.writeValueAsBytes(retention.run(RouteAudit.request(ex))));
    }

    /** Every public key that signed checkpoints, as PEM, for offline verification. */
    public void keys(Exchange ex) throws Exception {
        RouteAudit.draft(ex).action("audit.keys.read");
        ObjectNode out = mapper.createObjectNode();
        ArrayNode arr = out.putArray("keys");
        keys.publicKeys().forEach((id, k) -> arr.addObject().put("keyId", id).put("algorithm", SigningKeys.ALGORITHM)
                .put("active", id.equals(keys.activeKeyId())).put("pem", SigningKeys.pem("PUBLIC KEY", k.getEncoded())));
        json(ex, 200, mapper.writeValueAsBytes(out));
    }

    /**
     * Everything that happened to one person, in order: the records about the subject and every record
     * sharing a correlation id with them (the inbound call, planned changes, outbound calls).
     */
    public void timeline(Exchange ex) throws Exception {
        caughtUp();
        String who = ex.getIn().getHeader("id", String.class);
        RouteAudit.draft(ex).action("audit.timeline.read").subject("Subject", who, null, null);
        List<AuditEvent> events = jdbc.query("""
                with direct as (
                    select seq, correlation_id from audit_event
                    where subject_id = ? or subject_external_id = ? or lower(subject_name) = lower(?)),
                related as (
                    select seq from direct
                    union
                    select e.seq from audit_event e
                    where e.correlation_id in (select correlation_id from direct where correlation_id is not null))
                select * from audit_event where seq in (select seq from related)
                order by seq limit 5000""", (rs, i) -> codec.fromRow(rs), who, who, who);
        if (events.isEmpty()) {
            throw org.scimflow.scim.ScimErrors.notFound("No audit records for " + who);
        }
        ObjectNode out = mapper.createObjectNode();
        ObjectNode subject = out.putObject("subject");
        events.stream().filter(e -> e.subjectId() != null && (who.equals(e.subjectId())
                        || who.equalsIgnoreCase(e.subjectName()) || who.equals(e.subjectExternalId())))
                .reduce((a, b) -> b).ifPresent(e -> {
                    subject.put("id", e.subjectId());
                    subject.put("type", e.subjectType());
                    if (e.subjectName() != null) {
                        subject.put("name", e.subjectName());
                    }
                    if (e.subjectExternalId() != null) {
                        subject.put("externalId", e.subjectExternalId());
                    }
                });
        ArrayNode arr = out.putArray("events");
        events.forEach(e -> arr.add(codec.toJson(e)));
        json(ex, 200, mapper.writeValueAsBytes(out));
    }

    /** Events per hour by channel and outcome (default: the last 24 hours). */
    public void statsHourly(Exchange ex) throws Exception {
        caughtUp();
        RouteAudit.draft(ex).action("audit.stats.read");
        AuditQuery q = AuditQuery.from(name -> ex.getIn().getHeader(name, String.class));
        java.time.Instant to = q.to() != null ? q.to() : java.time.Instant.now();
        java.time.Instant from = q.from() != null ? q.from() : to.minus(java.time.Duration.ofHours(24));
        ObjectNode out = mapper.createObjectNode();
        ArrayNode arr = out.putArray("buckets");
        jdbc.query("select date_trunc('hour', event_time) h, channel, outcome, count(*) n from audit_event "
                        + "where event_time >= ? and event_time < ? group by 1, 2, 3 order by 1, 2, 3",
                rs -> {
                    arr.addObject().put("hour", rs.getObject("h", java.time.OffsetDateTime.class).toInstant().toString())
                            .put("channel", rs.getString("channel")).put("outcome", rs.getString("outcome"))
                            .put("count", rs.getLong("n"));
                }, java.sql.Timestamp.from(from), java.sql.Timestamp.from(to));
        out.put("from", from.toString());
        out.put("to", to.toString());
        json(ex, 200, mapper.writeValueAsBytes(out));
    }

    /** RFC 6962 inclusion proof of one record in the smallest signed checkpoint that covers it. */
    public void proof(Exchange ex) throws Exception {
        caughtUp();
        String id = ex.getIn().getHeader("eventId", String.class);
        RouteAudit.draft(ex).action("audit.proof.read").subject("AuditEvent", id, null, null);
        AuditEvent e;
        try {
            e = store.byEventId(UUID.fromString(id)).orElse(null);
        } catch (IllegalArgumentException bad) {
            e = null;
        }
        if (e == null) {
            throw ScimErrors.notFound("Audit event " + id + " not found");
        }
        long seq = e.seq();
        Checkpoint c = checkpointStore.covering(seq).orElseThrow(() -> ScimErrors.notFound(
                "No signed checkpoint covers seq " + seq + " yet; checkpoints are taken every few seconds"));
        // Every leaf before a checkpoint is summed up by the frontier stored with it (the roots of the perfect
        // subtrees over them), and an audit path needs nothing else from those leaves. So the proof reads the
        // record hashes only from the closest checkpoint at or before this record to the one that covers it,
        // fewer than about two checkpoint intervals, however long the log. The frontier is used only if it
        // reproduces its checkpoint's signed root; otherwise the proof reads from the last purge boundary,
        // where the records before it are gone and the frontier stored there stands in for them.
        long boundary = store.purgeBoundary();
        MerkleTree.CompactRange prefix = checkpointStore.withFrontierAtOrBelow(seq - 1)
                .filter(w -> w.checkpoint().treeSize() >= boundary)
                .flatMap(w -> w.verified(keys)).orElse(null);
        if (prefix == null && boundary > 0) {
            prefix = checkpointStore.withFrontierAt(boundary).map(w -> MerkleTree.CompactRange.decode(w.frontier()))
                    .orElseThrow(() -> ScimErrors.notFound("No checkpoint at the purge boundary " + boundary));
        }
        MerkleTree.CompactRange start = prefix;
        long after = start == null ? 0 : start.size();
        // The hashes stream from a cursor, front to back: memory stays flat whatever the distance.
        List<byte[]> path = store.withRecordHashes(after, c.treeSize(),
                leaf -> MerkleTree.inclusionProof(seq - 1, c.treeSize(), leaf, start));
        ObjectNode out = mapper.createObjectNode();
        out.put("eventId", id);
        out.put("seq", seq);
        out.put("leafIndex", seq - 1);
        out.put("recordHash", java.util.HexFormat.of().formatHex(e.recordHash()));
        ArrayNode p = out.putArray("auditPath");
        path.forEach(h -> p.add(java.util.HexFormat.of().formatHex(h)));
        out.set("checkpoint", c.toJson(mapper));
        json(ex, 200, mapper.writeValueAsBytes(out));
    }

    /**
     * RFC 9162 consistency proof between two signed checkpoints ({@code from} and {@code to} tree sizes):
     * whoever keeps an earlier checkpoint (a witness, a SIEM, an auditor's copy) can check that the later
     * one is the same log with records appended, nothing before it rewritten or removed, from the two
     * signed roots alone. Reads the record hashes from {@code from} to {@code to} only: the frontier stored
     * with the earlier checkpoint stands in for the records before it.
     */
    public void consistency(Exchange ex) throws Exception {
        RouteAudit.draft(ex).action("audit.consistency.read");
        long from = treeSize(ex, "from");
        long to = treeSize(ex, "to");
        if (from > to) {
            throw BadRequestException.invalidValue("from must not be after to");
        }
        Checkpoint first = checkpointStore.at(from).orElseThrow(() -> ScimErrors.notFound(
                "No signed checkpoint at tree size " + from + "; GET /audit/v1/checkpoints lists them"));
        Checkpoint second = checkpointStore.at(to).orElseThrow(() -> ScimErrors.notFound(
                "No signed checkpoint at tree size " + to + "; GET /audit/v1/checkpoints lists them"));
        long boundary = store.purgeBoundary();
        if (from < boundary) {
            throw ScimErrors.notFound("The records after tree size " + from + " up to the purge boundary " + boundary
                    + " are purged (their archives hold them); ask from a checkpoint at or after " + boundary);
        }
        MerkleTree.CompactRange prefix = checkpointStore.withFrontierAt(from).flatMap(w -> w.verified(keys)).orElse(null);
        if (prefix == null && boundary > 0) {
            throw ScimErrors.notFound("The checkpoint at " + from + " has no frontier that reproduces its signed root, "
                    + "and the records before the purge boundary " + boundary + " are gone");
        }
        List<byte[]> path = store.withRecordHashes(prefix == null ? 0 : from, to,
                leaves -> MerkleTree.consistencyProof(from, to, leaves, prefix));
        ObjectNode out = mapper.createObjectNode();
        out.put("fromTreeSize", from);
        out.put("toTreeSize", to);
        ArrayNode p = out.putArray("consistencyPath");
        path.forEach(h -> p.add(java.util.HexFormat.of().formatHex(h)));
        out.set("from", first.toJson(mapper));
        out.set("to", second.toJson(mapper));
        json(ex, 200, mapper.writeValueAsBytes(out));
    }

    private static long treeSize(Exchange ex, String name) throws BadRequestException {
        String v = ex.getIn().getHeader(name, String.class);
        if (v == null || v.isBlank()) {
            throw BadRequestException.invalidValue(name + " (a checkpoint's tree size) is required");
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw BadRequestException.invalidValue(name + " must be a tree size of at least 1");
    }

    public void query(Exchange ex) throws Exception {
        caughtUp();
        RouteAudit.draft(ex).action("audit.events.query");
        AuditQuery q = AuditQuery.from(name -> ex.getIn().getHeader(name, String.class));
        List<AuditEvent> rows = store.page(q);
        json(ex, 200, mapper.writeValueAsBytes(page("events", rows, q.limit(), codec::toJson, AuditEvent::seq)));
    }

    public void get(Exchange ex) throws Exception {
        caughtUp();
        String id = ex.getIn().getHeader("eventId", String.class);
        RouteAudit.draft(ex).action("audit.event.read").subject("AuditEvent", id, null, null);
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ScimErrors.notFound("Audit event " + id + " not found");
        }
        AuditEvent e = store.byEventId(uuid).orElseThrow(() -> ScimErrors.notFound("Audit event " + id + " not found"));
        json(ex, 200, mapper.writeValueAsBytes(codec.toJson(e)));
    }

    /**
     * Streams the matching records as NDJSON or CSV, rows flowing from a database cursor to the socket,
     * and ends with a signed manifest (digest of every preceding byte, the covering signed checkpoint).
     */
    public void export(Exchange ex) throws Exception {
        RouteAudit.draft(ex).action("audit.export");
        String format = ex.getIn().getHeader("format", "ndjson", String.class);
        if (!format.equals("ndjson") && !format.equals("csv")) {
            throw BadRequestException.invalidValue("format must be ndjson or csv");
        }
        AuditQuery q = AuditQuery.from(name -> ex.getIn().getHeader(name, String.class));
        // Everything exported is covered by a signed checkpoint taken now (after linking what waits in the
        // inbox, so the export holds every write acknowledged before it).
        Checkpoint checkpoint = checkpointer.checkpointNow();
        long maxSeq = checkpoint == null ? 0 : checkpoint.treeSize();
        ObjectNode filters = mapper.createObjectNode();
        for (String f : List.of("from", "to", "actor", "subject", "action", "outcome", "correlationId", "channel",
                "cycleId", "target")) {
            String v = ex.getIn().getHeader(f, String.class);
            if (v != null && !v.isBlank()) {
                filters.put(f, v);
            }
        }
        // A cursor leaves out every record up to it: the signed manifest says so, or a partial export would
        // read as the whole log.
        if (q.afterSeq() != null) {
            filters.put("afterSeq", q.afterSeq());
        }
        PipedInputStream in = new PipedInputStream(64 * 1024);
        PipedOutputStream pipe = new PipedOutputStream(in);
        boolean csv = format.equals("csv");
        exporters.submit(() -> {
            try (java.io.OutputStream os = new java.io.BufferedOutputStream(pipe, 64 * 1024)) {
                exporter.write(os, format, q, filters, maxSeq, checkpoint, null);
            } catch (IOException | RuntimeException e) {
                log.warn("Audit export ended early: {}", e.getMessage());
            }
        });
        Message m = ex.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        m.setHeader(Exchange.CONTENT_TYPE, csv ? "text/csv; charset=utf-8" : "application/x-ndjson");
        m.setHeader("Content-Disposition", "attachment; filename=\"scimflow-audit." + format + "\"");
        m.setBody(in);
        RouteAudit.draft(ex).durationMs(RouteAudit.request(ex).elapsedMs());
    }

    /**
     * Links whatever waits in the audit inbox into the log first, so a read sees every write acknowledged
     * before it (otherwise up to one sequencing interval, 50 ms, later).
     */
    private void caughtUp() {
        sequencer.drain();
    }

    private void json(Exchange ex, int status, byte[] body) {
        Message m = ex.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(body);
        RouteAudit.draft(ex).durationMs(RouteAudit.request(ex).elapsedMs());
    }

    @Override
    public void destroy() {
        exporters.shutdownNow();
    }
}
