package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The RFC 8785 form of a record's hashed content written straight from its text columns, in the fixed
 * key order that sorting {@link AuditRecordCodec#content} produces. Must equal
 * {@code codec.canonicalContent(codec.fromRow(row))} byte for byte; the tests verify real rows both ways.
 */
final class FastCanonical {

    private static final String[] ACTOR = {"id", "ip", "type", "userAgent"};
    private static final String[] HTTP = {"method", "path", "status"};
    private static final String[] SUBJECT = {"externalId", "id", "name", "type"};
    private static final String[] TARGET = {"id", "system"};
    private final ObjectMapper mapper;

    FastCanonical(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    byte[] content(String[] f) {
        StringBuilder sb = new StringBuilder(640);
        sb.append('{');
        Sep s = new Sep(sb);
        str(s, "action", f[RawRecord.ACTION]);
        object(s, "actor", ACTOR,
                f[RawRecord.ACTOR_ID], f[RawRecord.ACTOR_IP], f[RawRecord.ACTOR_TYPE], f[RawRecord.ACTOR_USER_AGENT]);
        num(s, "attempt", f[RawRecord.ATTEMPT]);
        String changes = f[RawRecord.CHANGES];
        if (changes != null && !changes.equals("[]")) {
            s.key("changes");
            try {
                CanonicalJson.write(mapper.readTree(changes), sb);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        str(s, "channel", f[RawRecord.CHANNEL]);
        str(s, "correlationId", f[RawRecord.CORRELATION_ID]);
        str(s, "cycleId", f[RawRecord.CYCLE_ID]);
        num(s, "durationMs", f[RawRecord.DURATION_MS]);
        str(s, "error", f[RawRecord.ERROR]);
        str(s, "eventId", f[RawRecord.EVENT_ID]);
        str(s, "eventTime", f[RawRecord.EVENT_TIME]);
        object(s, "http", HTTP,
                f[RawRecord.HTTP_METHOD], f[RawRecord.HTTP_PATH], f[RawRecord.HTTP_STATUS]);
        str(s, "outcome", f[RawRecord.OUTCOME]);
        str(s, "parentEventId", f[RawRecord.PARENT_EVENT_ID]);
        str(s, "recordedTime", f[RawRecord.RECORDED_TIME]);
        num(s, "schemaVersion", f[RawRecord.SCHEMA_VERSION]);
        str(s, "scimType", f[RawRecord.SCIM_TYPE]);
        object(s, "subject", SUBJECT, f[RawRecord.SUBJECT_EXTERNAL_ID],
                f[RawRecord.SUBJECT_ID], f[RawRecord.SUBJECT_NAME], f[RawRecord.SUBJECT_TYPE]);
        object(s, "target", TARGET, f[RawRecord.TARGET_ID], f[RawRecord.TARGET_SYSTEM]);
        sb.append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the separators between members. */
    private static final class Sep {
        final StringBuilder sb;
        boolean first = true;

        Sep(StringBuilder sb) {
            this.sb = sb;
        }

        void key(String k) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append('"').append(k).append("\":");
        }
    }

    private static void str(Sep s, String key, String v) {
        if (v != null) {
            s.key(key);
            CanonicalJson.string(v, s.sb);
        }
    }

    private static void num(Sep s, String key, String v) {
        if (v != null) {
            s.key(key);
            s.sb.append(Long.parseLong(v));
        }
    }

    /** A nested object whose members are all strings except {@code status} (http), omitted when empty. */
    private static void object(Sep s, String key, String[] names, String... values) {
        boolean any = false;
        for (String v : values) {
            any |= v != null;
        }
        if (!any) {
            return;
        }
        s.key(key);
        Sep inner = new Sep(s.sb.append('{'));
        for (int i = 0; i < names.length; i++) {
            if (values[i] == null) {
                continue;
            }
            if (names[i].equals("status")) {
                inner.key("status");
                s.sb.append(Long.parseLong(values[i]));
            } else {
                str(inner, names[i], values[i]);
            }
        }
        s.sb.append('}');
    }
}
