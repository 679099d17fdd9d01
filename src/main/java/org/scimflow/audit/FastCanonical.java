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
 * <p>This is the one layout of the record for every source of its values: column values read as text
 * ({@link RawRecord}, for exports), binary COPY rows read in place ({@link BinaryRow}, for verification)
 * and the events the writer hashes ({@link EventFields}).
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

        /** Where the text starts in {@link #changes}: the whole array unless a row is read in place. */
        default int changesFrom() {
            return 0;
        }

        default int changesLength() {
            return changes().length;
        }

        /** True when {@link #changes} is already canonical JSON, to be copied as it is. */
        default boolean changesCanonical() {
            return false;
        }
    }

    /** How a member's value is written. */
    private enum Kind { STRING, NUMBER, OBJECT, CHANGES }

    /** One member of the content: its name as {@code "name":}, its column, or its members if it is an object. */
    private record Member(byte[] key, Kind kind, int column, Member... members) { }

    private static Member member(String name, Kind kind, int column) {
        return new Member(key(name), kind, column);
    }

    private static Member object(String name, Member... members) {
        return new Member(key(name), Kind.OBJECT, -1, members);
    }

    /**
     * The record's content: {@link AuditRecordCodec#content} with its members in order of their names, as
     * RFC 8785 orders them (all names are ASCII). Nested objects are left out when all their members are null.
     */
    private static final Member[] CONTENT = {
        member("action", Kind.STRING, RawRecord.ACTION),
        object("actor",
                member("id", Kind.STRING, RawRecord.ACTOR_ID),
                member("ip", Kind.STRING, RawRecord.ACTOR_IP),
                member("type", Kind.STRING, RawRecord.ACTOR_TYPE),
                member("userAgent", Kind.STRING, RawRecord.ACTOR_USER_AGENT)),
        member("attempt", Kind.NUMBER, RawRecord.ATTEMPT),
        member("changes", Kind.CHANGES, RawRecord.CHANGES),
        member("channel", Kind.STRING, RawRecord.CHANNEL),
        member("correlationId", Kind.STRING, RawRecord.CORRELATION_ID),
        member("cycleId", Kind.STRING, RawRecord.CYCLE_ID),
        member("durationMs", Kind.NUMBER, RawRecord.DURATION_MS),
        member("error", Kind.STRING, RawRecord.ERROR),
        member("eventId", Kind.STRING, RawRecord.EVENT_ID),
        member("eventTime", Kind.STRING, RawRecord.EVENT_TIME),
        object("http",
                member("method", Kind.STRING, RawRecord.HTTP_METHOD),
                member("path", Kind.STRING, RawRecord.HTTP_PATH),
                member("status", Kind.NUMBER, RawRecord.HTTP_STATUS)),
        member("outcome", Kind.STRING, RawRecord.OUTCOME),
        member("parentEventId", Kind.STRING, RawRecord.PARENT_EVENT_ID),
        member("recordedTime", Kind.STRING, RawRecord.RECORDED_TIME),
        member("schemaVersion", Kind.NUMBER, RawRecord.SCHEMA_VERSION),
        member("scimType", Kind.STRING, RawRecord.SCIM_TYPE),
        object("subject",
                member("externalId", Kind.STRING, RawRecord.SUBJECT_EXTERNAL_ID),
                member("id", Kind.STRING, RawRecord.SUBJECT_ID),
                member("name", Kind.STRING, RawRecord.SUBJECT_NAME),
                member("type", Kind.STRING, RawRecord.SUBJECT_TYPE)),
        object("target",
                member("id", Kind.STRING, RawRecord.TARGET_ID),
                member("system", Kind.STRING, RawRecord.TARGET_SYSTEM)),
    };

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
        members(f, CONTENT, o);
        o.put('}');
    }

    private void members(Fields f, Member[] members, CanonicalJson.Out o) {
        for (Member m : members) {
            switch (m.kind()) {
                case STRING -> {
                    if (f.has(m.column())) {
                        key(m.key(), o);
                        f.string(m.column(), o);
                    }
                }
                case NUMBER -> {
                    if (f.has(m.column())) {
                        key(m.key(), o);
                        f.number(m.column(), o);
                    }
                }
                case OBJECT -> {
                    if (any(f, m.members())) {
                        key(m.key(), o);
                        o.put('{');
                        members(f, m.members(), o);
                        o.put('}');
                    }
                }
                case CHANGES -> changes(f, m.key(), o);
            }
        }
    }

    private static boolean any(Fields f, Member[] members) {
        for (Member m : members) {
            if (f.has(m.column())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Changes as canonical JSON, left out when null or an empty array; text in shapes {@link CanonicalJson#text}
     * does not take goes through a Jackson tree.
     */
    private void changes(Fields f, byte[] k, CanonicalJson.Out o) {
        byte[] t = f.changes();
        if (t == null) {
            return;
        }
        int from = f.changesFrom();
        int len = f.changesLength();
        if (len == 2 && t[from] == '[' && t[from + 1] == ']') {
            return;
        }
        key(k, o);
        if (f.changesCanonical()) {
            o.bytes(t, from, len);
        } else if (!CanonicalJson.text(t, from, len, o)) {
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
}
