package org.scimflow.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * One audit record: who did what to which subject, through which channel, with which outcome.
 *
 * <p>Immutable; built with {@link #builder()}. Times are kept at microsecond precision, the
 * precision PostgreSQL stores, so a record read back hashes to the same value it was written with.
 */
public record AuditEvent(
        UUID eventId,
        int schemaVersion,
        Instant eventTime,
        Instant recordedTime,
        String correlationId,
        UUID parentEventId,
        String cycleId,
        String channel,
        String action,
        String outcome,
        String actorType,
        String actorId,
        String actorIp,
        String actorUserAgent,
        String subjectType,
        String subjectId,
        String subjectName,
        String subjectExternalId,
        String targetSystem,
        String targetId,
        String httpMethod,
        String httpPath,
        Integer httpStatus,
        String scimType,
        String error,
        Integer attempt,
        Integer durationMs,
        JsonNode changes,
        Long seq,
        byte[] prevHash,
        byte[] recordHash) {

    public static final int SCHEMA_VERSION = 1;

    /** Channels an exchange can come through. */
    public static final class Channel {
        public static final String SCIM_IN = "scim-in";
        public static final String HR_POLL = "hr-poll";
        public static final String PLAN = "plan";
        public static final String TARGET_OUT = "target-out";
        public static final String ADMIN = "admin";
        public static final String AUDIT_READ = "audit-read";
        public static final String SYSTEM = "system";
        private Channel() { }
    }

    /** Outcomes of an exchange. */
    public static final class Outcome {
        public static final String SUCCESS = "success";
        public static final String FAILURE = "failure";
        public static final String DENIED = "denied";
        public static final String SKIPPED = "skipped";
        private Outcome() { }
    }

    /**
     * {@code s} as PostgreSQL can store it: text and jsonb hold no NUL character, and a record carrying
     * one (a rejected call's bad path or attribute name in its error) failed its whole batch of records,
     * other callers' records with it. NUL becomes U+FFFD, the replacement character.
     */
    public static String storable(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    /** {@code changes} with {@link #storable} text: field names and string values; the same node when it has none. */
    public static JsonNode storable(JsonNode n) {
        if (n == null || !hasNul(n)) {
            return n;
        }
        return withoutNul(n);
    }

    private static boolean hasNul(JsonNode n) {
        if (n.isTextual()) {
            return n.textValue().indexOf('\0') >= 0;
        }
        if (n.isObject()) {
            var it = n.fields();
            while (it.hasNext()) {
                var f = it.next();
                if (f.getKey().indexOf('\0') >= 0 || hasNul(f.getValue())) {
                    return true;
                }
            }
            return false;
        }
        if (n.isArray()) {
            for (JsonNode e : n) {
                if (hasNul(e)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static JsonNode withoutNul(JsonNode n) {
        var nodes = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        if (n.isTextual()) {
            return nodes.textNode(storable(n.textValue()));
        }
        if (n.isObject()) {
            var out = nodes.objectNode();
            n.fields().forEachRemaining(f -> out.set(storable(f.getKey()), withoutNul(f.getValue())));
            return out;
        }
        if (n.isArray()) {
            var out = nodes.arrayNode();
            n.forEach(e -> out.add(withoutNul(e)));
            return out;
        }
        return n;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.eventId = eventId; b.schemaVersion = schemaVersion; b.eventTime = eventTime; b.recordedTime = recordedTime;
        b.correlationId = correlationId; b.parentEventId = parentEventId; b.cycleId = cycleId; b.channel = channel;
        b.action = action; b.outcome = outcome; b.actorType = actorType; b.actorId = actorId; b.actorIp = actorIp;
        b.actorUserAgent = actorUserAgent; b.subjectType = subjectType; b.subjectId = subjectId;
        b.subjectName = subjectName; b.subjectExternalId = subjectExternalId; b.targetSystem = targetSystem;
        b.targetId = targetId; b.httpMethod = httpMethod; b.httpPath = httpPath; b.httpStatus = httpStatus;
        b.scimType = scimType; b.error = error; b.attempt = attempt; b.durationMs = durationMs; b.changes = changes;
        b.seq = seq; b.prevHash = prevHash; b.recordHash = recordHash;
        return b;
    }

    static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }

    /** Fluent builder for {@link AuditEvent}. */
    public static final class Builder {
        private UUID eventId;
        private int schemaVersion = SCHEMA_VERSION;
        private Instant eventTime;
        private Instant recordedTime;
        private String correlationId;
        private UUID parentEventId;
        private String cycleId;
        private String channel;
        private String action;
        private String outcome;
        private String actorType;
        private String actorId;
        private String actorIp;
        private String actorUserAgent;
        private String subjectType;
        private String subjectId;
        private String subjectName;
        private String subjectExternalId;
        private String targetSystem;
        private String targetId;
        private String httpMethod;
        private String httpPath;
        private Integer httpStatus;
        private String scimType;
        private String error;
        private Integer attempt;
        private Integer durationMs;
        private JsonNode changes;
        private Long seq;
        private byte[] prevHash;
        private byte[] recordHash;

        public Builder eventId(UUID v) { eventId = v; return this; }
        public Builder schemaVersion(int v) { schemaVersion = v; return this; }
        public Builder eventTime(Instant v) { eventTime = v; return this; }
        public Builder recordedTime(Instant v) { recordedTime = v; return this; }
        public Builder correlationId(String v) { correlationId = v; return this; }
        public Builder parentEventId(UUID v) { parentEventId = v; return this; }
        public Builder cycleId(String v) { cycleId = v; return this; }
        public Builder channel(String v) { channel = v; return this; }
        public Builder action(String v) { action = v; return this; }
        public Builder outcome(String v) { outcome = v; return this; }
        public Builder actorType(String v) { actorType = v; return this; }
        public Builder actorId(String v) { actorId = v; return this; }
        public Builder actorIp(String v) { actorIp = v; return this; }
        public Builder actorUserAgent(String v) { actorUserAgent = v; return this; }
        public Builder subjectType(String v) { subjectType = v; return this; }
        public Builder subjectId(String v) { subjectId = v; return this; }
        public Builder subjectName(String v) { subjectName = v; return this; }
        public Builder subjectExternalId(String v) { subjectExternalId = v; return this; }
        public Builder targetSystem(String v) { targetSystem = v; return this; }
        public Builder targetId(String v) { targetId = v; return this; }
        public Builder httpMethod(String v) { httpMethod = v; return this; }
        public Builder httpPath(String v) { httpPath = v; return this; }
        public Builder httpStatus(Integer v) { httpStatus = v; return this; }
        public Builder scimType(String v) { scimType = v; return this; }
        public Builder error(String v) { error = v; return this; }
        public Builder attempt(Integer v) { attempt = v; return this; }
        public Builder durationMs(Integer v) { durationMs = v; return this; }
        public Builder changes(JsonNode v) { changes = v; return this; }
        public Builder seq(Long v) { seq = v; return this; }
        public Builder prevHash(byte[] v) { prevHash = v; return this; }
        public Builder recordHash(byte[] v) { recordHash = v; return this; }

        /** Text fields keep no NUL character (see {@link #storable}). */
        public AuditEvent build() {
            return new AuditEvent(eventId, schemaVersion, micros(eventTime), micros(recordedTime), storable(correlationId),
                    parentEventId, storable(cycleId), storable(channel), storable(action), storable(outcome),
                    storable(actorType), storable(actorId), storable(actorIp), storable(actorUserAgent),
                    storable(subjectType), storable(subjectId), storable(subjectName), storable(subjectExternalId),
                    storable(targetSystem), storable(targetId), storable(httpMethod), storable(httpPath), httpStatus,
                    storable(scimType), storable(error), attempt, durationMs, changes, seq, prevHash, recordHash);
        }
    }
}
