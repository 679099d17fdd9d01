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

    /** The nested objects: their members' columns, and names, in the order of the names. */
    private static final int[] ACTOR_COLUMNS = {RawRecord.ACTOR_ID, RawRecord.ACTOR_IP, RawRecord.ACTOR_TYPE,
            RawRecord.ACTOR_USER_AGENT};
    private static final byte[][] ACTOR_KEYS = {ID, IP, TYPE, USER_AGENT};
    private static final int[] HTTP_COLUMNS = {RawRecord.HTTP_METHOD, RawRecord.HTTP_PATH, RawRecord.HTTP_STATUS};
    private static final byte[][] HTTP_KEYS = {METHOD, PATH, STATUS};
    private static final int[] SUBJECT_COLUMNS = {RawRecord.SUBJECT_EXTERNAL_ID, RawRecord.SUBJECT_ID,
            RawRecord.SUBJECT_NAME, RawRecord.SUBJECT_TYPE};
    private static final byte[][] SUBJECT_KEYS = {EXTERNAL_ID, ID, NAME, TYPE};
    private static final int[] TARGET_COLUMNS = {RawRecord.TARGET_ID, RawRecord.TARGET_SYSTEM};
    private static final byte[][] TARGET_KEYS = {ID, SYSTEM};

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
        object(f, ACTOR, ACTOR_COLUMNS, ACTOR_KEYS, o);
        num(f, RawRecord.ATTEMPT, ATTEMPT, o);
        changes(f, o);
        str(f, RawRecord.CHANNEL, CHANNEL, o);
        str(f, RawRecord.CORRELATION_ID, CORRELATION_ID, o);
        str(f, RawRecord.CYCLE_ID, CYCLE_ID, o);
        num(f, RawRecord.DURATION_MS, DURATION_MS, o);
        str(f, RawRecord.ERROR, ERROR, o);
        str(f, RawRecord.EVENT_ID, EVENT_ID, o);
        str(f, RawRecord.EVENT_TIME, EVENT_TIME, o);
        object(f, HTTP, HTTP_COLUMNS, HTTP_KEYS, o);
        str(f, RawRecord.OUTCOME, OUTCOME, o);
        str(f, RawRecord.PARENT_EVENT_ID, PARENT_EVENT_ID, o);
        str(f, RawRecord.RECORDED_TIME, RECORDED_TIME, o);
        num(f, RawRecord.SCHEMA_VERSION, SCHEMA_VERSION, o);
        str(f, RawRecord.SCIM_TYPE, SCIM_TYPE, o);
        object(f, SUBJECT, SUBJECT_COLUMNS, SUBJECT_KEYS, o);
        object(f, TARGET, TARGET_COLUMNS, TARGET_KEYS, o);
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

    /** A nested object, left out when all its members are null; its only number is the HTTP status. */
    private static void object(Fields f, byte[] k, int[] columns, byte[][] keys, CanonicalJson.Out o) {
        boolean any = false;
        for (int col : columns) {
            any |= f.has(col);
        }
        if (!any) {
            return;
        }
        key(k, o);
        o.put('{');
        for (int i = 0; i < columns.length; i++) {
            if (columns[i] == RawRecord.HTTP_STATUS) {
                num(f, columns[i], keys[i], o);
            } else {
                str(f, columns[i], keys[i], o);
            }
        }
        o.put('}');
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
