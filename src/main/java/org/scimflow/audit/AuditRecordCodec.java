package org.scimflow.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.scimflow.security.Sha256;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * Converts audit events between their three forms: the public JSON record, the database row, and the
 * canonical bytes that are hashed.
 *
 * <p>The hashed content is the RFC 8785 canonical JSON of the public record without its chain fields
 * ({@code seq}, {@code prevHash}, {@code recordHash}); the chain binds those separately.
 */
public final class AuditRecordCodec {

    private static final HexFormat HEX = HexFormat.of();
    private final ObjectMapper mapper;
    private final FastCanonical fast;

    public AuditRecordCodec(ObjectMapper mapper) {
        this.mapper = mapper;
        this.fast = new FastCanonical(mapper);
    }

    /** The public JSON form, as served by the API, exported and published to Kafka. */
    public ObjectNode toJson(AuditEvent e) {
        ObjectNode n = content(e);
        if (e.seq() != null) {
            n.put("seq", e.seq());
        }
        if (e.prevHash() != null) {
            n.put("prevHash", HEX.formatHex(e.prevHash()));
        }
        if (e.recordHash() != null) {
            n.put("recordHash", HEX.formatHex(e.recordHash()));
        }
        return n;
    }

    /** The hashed part of the record. */
    public ObjectNode content(AuditEvent e) {
        ObjectNode n = mapper.createObjectNode();
        n.put("schemaVersion", e.schemaVersion());
        put(n, "eventId", e.eventId());
        put(n, "eventTime", e.eventTime());
        put(n, "recordedTime", e.recordedTime());
        put(n, "correlationId", e.correlationId());
        put(n, "parentEventId", e.parentEventId());
        put(n, "cycleId", e.cycleId());
        put(n, "channel", e.channel());
        put(n, "action", e.action());
        put(n, "outcome", e.outcome());
        ObjectNode actor = mapper.createObjectNode();
        put(actor, "type", e.actorType());
        put(actor, "id", e.actorId());
        put(actor, "ip", e.actorIp());
        put(actor, "userAgent", e.actorUserAgent());
        putObject(n, "actor", actor);
        ObjectNode subject = mapper.createObjectNode();
        put(subject, "type", e.subjectType());
        put(subject, "id", e.subjectId());
        put(subject, "name", e.subjectName());
        put(subject, "externalId", e.subjectExternalId());
        putObject(n, "subject", subject);
        ObjectNode target = mapper.createObjectNode();
        put(target, "system", e.targetSystem());
        put(target, "id", e.targetId());
        putObject(n, "target", target);
        ObjectNode http = mapper.createObjectNode();
        put(http, "method", e.httpMethod());
        put(http, "path", e.httpPath());
        if (e.httpStatus() != null) {
            http.put("status", e.httpStatus());
        }
        putObject(n, "http", http);
        put(n, "scimType", e.scimType());
        put(n, "error", e.error());
        if (e.attempt() != null) {
            n.put("attempt", e.attempt());
        }
        if (e.durationMs() != null) {
            n.put("durationMs", e.durationMs());
        }
        if (hasChanges(e)) {
            n.set("changes", e.changes());
        }
        return n;
    }

    /**
     * One NDJSON export line: the record's canonical content (RFC 8785, the bytes its hash covers) with
     * {@code seq}, {@code prevHash} and {@code recordHash} appended as its last members, then a newline.
     * An offline verifier hashes the content bytes as they stand instead of re-building them
     * ({@link ExportLine}); to any JSON reader it is the same object {@link #toJson} describes.
     */
    public byte[] exportLine(AuditEvent e) {
        return exportLine(canonicalContent(e), e.seq(), e.prevHash(), e.recordHash());
    }

    /** The export line of a record whose canonical content is {@code content} (see {@link #exportLine(AuditEvent)}). */
    static byte[] exportLine(byte[] content, long seq, byte[] prevHash, byte[] recordHash) {
        byte[] suffix = (",\"seq\":" + seq + ",\"prevHash\":\"" + HEX.formatHex(prevHash)
                + "\",\"recordHash\":\"" + HEX.formatHex(recordHash) + "\"}\n").getBytes(StandardCharsets.US_ASCII);
        byte[] line = new byte[content.length - 1 + suffix.length];
        System.arraycopy(content, 0, line, 0, content.length - 1);
        System.arraycopy(suffix, 0, line, content.length - 1, suffix.length);
        return line;
    }

    /** RFC 8785 canonical bytes of {@link #content(AuditEvent)}. */
    public byte[] canonicalContent(AuditEvent e) {
        return CanonicalJson.bytes(content(e));
    }

    /**
     * Appends the same bytes as {@link #canonicalContent} to {@code o}, written from the event's fields
     * without a JSON tree. For the writer, which binds the same fields and changes bytes.
     */
    void writeCanonicalContent(EventFields e, CanonicalJson.Out o) {
        fast.write(e, o);
    }

    /** The same bytes through the JCS reference implementation (text round trip); kept to cross-check. */
    byte[] canonicalContentReference(AuditEvent e) {
        try {
            return new JsonCanonicalizer(mapper.writeValueAsString(content(e))).getEncodedUTF8();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public byte[] contentHash(AuditEvent e) {
        return sha256(canonicalContent(e));
    }

    /** The chain link: {@code sha256(prevHash || int8(seq) || contentHash)}, as {@code audit_append} computes it. */
    public static byte[] chainHash(byte[] prevHash, long seq, byte[] contentHash) {
        MessageDigest md = digest();
        md.update(prevHash);
        for (int i = 7; i >= 0; i--) {
            md.update((byte) (seq >>> (8 * i)));
        }
        md.update(contentHash);
        return md.digest();
    }

    public static byte[] sha256(byte[] data) {
        return Sha256.of(data);
    }

    static MessageDigest digest() {
        return Sha256.digest();
    }

    /** Column values keyed by column name, as {@code jsonb_populate_record} reads them into a row. */
    public Map<String, Object> toColumns(AuditEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event_id", str(e.eventId()));
        m.put("schema_version", e.schemaVersion());
        m.put("event_time", str(e.eventTime()));
        m.put("recorded_time", str(e.recordedTime()));
        m.put("correlation_id", e.correlationId());
        m.put("parent_event_id", str(e.parentEventId()));
        m.put("cycle_id", e.cycleId());
        m.put("channel", e.channel());
        m.put("action", e.action());
        m.put("outcome", e.outcome());
        m.put("actor_type", e.actorType());
        m.put("actor_id", e.actorId());
        m.put("actor_ip", e.actorIp());
        m.put("actor_user_agent", e.actorUserAgent());
        m.put("subject_type", e.subjectType());
        m.put("subject_id", e.subjectId());
        m.put("subject_name", e.subjectName());
        m.put("subject_external_id", e.subjectExternalId());
        m.put("target_system", e.targetSystem());
        m.put("target_id", e.targetId());
        m.put("http_method", e.httpMethod());
        m.put("http_path", e.httpPath());
        m.put("http_status", e.httpStatus());
        m.put("scim_type", e.scimType());
        m.put("error", e.error());
        m.put("attempt", e.attempt());
        m.put("duration_ms", e.durationMs());
        m.put("changes", hasChanges(e) ? e.changes() : null);
        m.values().removeIf(v -> v == null);
        return m;
    }

    /** Reads one {@code audit_event} row. */
    public AuditEvent fromRow(ResultSet rs) throws SQLException {
        String changes = rs.getString("changes");
        try {
            return AuditEvent.builder()
                    .seq(rs.getLong("seq"))
                    .eventId(rs.getObject("event_id", UUID.class))
                    .schemaVersion(rs.getInt("schema_version"))
                    .eventTime(instant(rs, "event_time"))
                    .recordedTime(instant(rs, "recorded_time"))
                    .correlationId(rs.getString("correlation_id"))
                    .parentEventId(rs.getObject("parent_event_id", UUID.class))
                    .cycleId(rs.getString("cycle_id"))
                    .channel(rs.getString("channel"))
                    .action(rs.getString("action"))
                    .outcome(rs.getString("outcome"))
                    .actorType(rs.getString("actor_type"))
                    .actorId(rs.getString("actor_id"))
                    .actorIp(rs.getString("actor_ip"))
                    .actorUserAgent(rs.getString("actor_user_agent"))
                    .subjectType(rs.getString("subject_type"))
                    .subjectId(rs.getString("subject_id"))
                    .subjectName(rs.getString("subject_name"))
                    .subjectExternalId(rs.getString("subject_external_id"))
                    .targetSystem(rs.getString("target_system"))
                    .targetId(rs.getString("target_id"))
                    .httpMethod(rs.getString("http_method"))
                    .httpPath(rs.getString("http_path"))
                    .httpStatus((Integer) rs.getObject("http_status"))
                    .scimType(rs.getString("scim_type"))
                    .error(rs.getString("error"))
                    .attempt((Integer) rs.getObject("attempt"))
                    .durationMs((Integer) rs.getObject("duration_ms"))
                    .changes(changes == null ? null : mapper.readTree(changes))
                    .prevHash(rs.getBytes("prev_hash"))
                    .recordHash(rs.getBytes("record_hash"))
                    .build();
        } catch (IOException ex) {
            throw new SQLException("unreadable changes column at seq " + rs.getLong("seq"), ex);
        }
    }

    private static Instant instant(ResultSet rs, String col) throws SQLException {
        OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** Whether the record carries changes; without any, both the hashed content and the row leave them out. */
    static boolean hasChanges(AuditEvent e) {
        return e.changes() != null && !e.changes().isNull() && !e.changes().isEmpty();
    }

    static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static void put(ObjectNode n, String k, Object v) {
        if (v != null) {
            n.put(k, v.toString());
        }
    }

    private static void putObject(ObjectNode n, String k, ObjectNode v) {
        if (!v.isEmpty()) {
            n.set(k, v);
        }
    }


}
