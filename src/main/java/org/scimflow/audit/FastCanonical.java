package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The RFC 8785 form of a record's hashed content written straight from its column values, in the fixed
 * key order that sorting {@link AuditRecordCodec#content} produces. Must equal
 * {@code codec.canonicalContent(codec.fromRow(row))} byte for byte; the tests verify real rows both ways.
 *
 * <p>This is the one layout of the record for both kinds of row: column values read as text
 * ({@link RawRecord}, for exports) and binary COPY rows read in place ({@link BinaryRow}, for verification).
 */
final class FastCanonical {

    /** A record's column values, by their positions in {@link RawRecord#COLUMNS}. */
    interface Fields {
        /** False for a null column. */
        boolean has(int col);

        /** Writes a text, uuid or timestamp column as a JSON string (timestamps as {@link java.time.Instant#toString}). */
        void string(int col, CanonicalJson.Out o);

        /** Writes an integer column. */
        void number(int col, CanonicalJson.Out o);

        /** The {@code changes} column's JSON text as UTF-8, null when the column is null; see {@link #changesFrom}. */
        byte[] changes();

        int changesFrom();

        int changesLength();
    }

    private static final byte[] ACTION = key("action"), ACTOR = key("actor"), ATTEMPT = key("attempt"),
            CHANGES = key("changes"), CHANNEL = key("channel"), CORRELATION_ID = key("correlationId"),
            CYCLE_ID = key("cycleId"), DURATION_MS = key("durationMs"), ERROR = key("error"), EVENT_ID = key("eventId"),
            EVENT_TIME = key("eventTime"), HTTP = key("http"), OUTCOME = key("outcome"),
            PARENT_EVENT_ID = key("parentEventId"), RECORDED_TIME = key("recordedTime"),
            SCHEMA_VERSION = key("schemaVersion"), SCIM_TYPE = key("scimType"), SUBJECT = key("subject"),
            TARGET = key("target"), EXTERNAL_ID = key("externalId"), ID = key("id"), IP = key("ip"), METHOD = key("method"),
            NAME = key("name"), PATH = key("path"), STATUS = key("status"), SYSTEM = key("system"), TYPE = key("type"),
            USER_AGENT = key("userAgent");

    private final ObjectMapper mapper;

    FastCanonical(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    byte[] content(Fields f) {
        CanonicalJson.Out o = new CanonicalJson.Out(640);
        write(f, o);
        return o.toByteArray();
    }

    /** Appends the canonical content of {@code f} to {@code o}. */
    void write(Fields f, CanonicalJson.Out o) {
        o.put('{');
        str(f, RawRecord.ACTION, ACTION, o);
        if (f.has(RawRecord.ACTOR_ID) || f.has(RawRecord.ACTOR_IP) || f.has(RawRecord.ACTOR_TYPE)
                || f.has(RawRecord.ACTOR_USER_AGENT)) {
            open(ACTOR, o);
            str(f, RawRecord.ACTOR_ID, ID, o);
            str(f, RawRecord.ACTOR_IP, IP, o);
            str(f, RawRecord.ACTOR_TYPE, TYPE, o);
            str(f, RawRecord.ACTOR_USER_AGENT, USER_AGENT, o);
            o.put('}');
        }
        num(f, RawRecord.ATTEMPT, ATTEMPT, o);
        changes(f, o);
        str(f, RawRecord.CHANNEL, CHANNEL, o);
        str(f, RawRecord.CORRELATION_ID, CORRELATION_ID, o);
        str(f, RawRecord.CYCLE_ID, CYCLE_ID, o);
        num(f, RawRecord.DURATION_MS, DURATION_MS, o);
        str(f, RawRecord.ERROR, ERROR, o);
        str(f, RawRecord.EVENT_ID, EVENT_ID, o);
        str(f, RawRecord.EVENT_TIME, EVENT_TIME, o);
        if (f.has(RawRecord.HTTP_METHOD) || f.has(RawRecord.HTTP_PATH) || f.has(RawRecord.HTTP_STATUS)) {
            open(HTTP, o);
            str(f, RawRecord.HTTP_METHOD, METHOD, o);
            str(f, RawRecord.HTTP_PATH, PATH, o);
            num(f, RawRecord.HTTP_STATUS, STATUS, o);
            o.put('}');
        }
        str(f, RawRecord.OUTCOME, OUTCOME, o);
        str(f, RawRecord.PARENT_EVENT_ID, PARENT_EVENT_ID, o);
        str(f, RawRecord.RECORDED_TIME, RECORDED_TIME, o);
        num(f, RawRecord.SCHEMA_VERSION, SCHEMA_VERSION, o);
        str(f, RawRecord.SCIM_TYPE, SCIM_TYPE, o);
        if (f.has(RawRecord.SUBJECT_EXTERNAL_ID) || f.has(RawRecord.SUBJECT_ID) || f.has(RawRecord.SUBJECT_NAME)
                || f.has(RawRecord.SUBJECT_TYPE)) {
            open(SUBJECT, o);
            str(f, RawRecord.SUBJECT_EXTERNAL_ID, EXTERNAL_ID, o);
            str(f, RawRecord.SUBJECT_ID, ID, o);
            str(f, RawRecord.SUBJECT_NAME, NAME, o);
            str(f, RawRecord.SUBJECT_TYPE, TYPE, o);
            o.put('}');
        }
        if (f.has(RawRecord.TARGET_ID) || f.has(RawRecord.TARGET_SYSTEM)) {
            open(TARGET, o);
            str(f, RawRecord.TARGET_ID, ID, o);
            str(f, RawRecord.TARGET_SYSTEM, SYSTEM, o);
            o.put('}');
        }
        o.put('}');
    }

    /**
     * Changes as canonical JSON, left out when null or an empty array; text in shapes {@link CanonicalJson#text}
     * does not take goes through a Jackson tree.
     */
    private void changes(Fields f, CanonicalJson.Out o) {
        byte[] t = f.changes();
        if (t == null) {
            return;
        }
        int from = f.changesFrom();
        int len = f.changesLength();
        if (len == 2 && t[from] == '[' && t[from + 1] == ']') {
            return;
        }
        key(CHANGES, o);
        if (!CanonicalJson.text(t, from, len, o)) {
            try {
                CanonicalJson.write(mapper.readTree(new String(t, from, len, StandardCharsets.UTF_8)), o);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** {@code "name":} as bytes. */
    private static byte[] key(String name) {
        return ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
    }

    /** A member name, after a comma unless it is the first member of its object. */
    private static void key(byte[] k, CanonicalJson.Out o) {
        if (o.buf[o.len - 1] != '{') {
            o.put(',');
        }
        o.bytes(k);
    }

    private static void open(byte[] k, CanonicalJson.Out o) {
        key(k, o);
        o.put('{');
    }

    private static void str(Fields f, int col, byte[] k, CanonicalJson.Out o) {
        if (f.has(col)) {
            key(k, o);
            f.string(col, o);
        }
    }

    private static void num(Fields f, int col, byte[] k, CanonicalJson.Out o) {
        if (f.has(col)) {
            key(k, o);
            f.number(col, o);
        }
    }
}
