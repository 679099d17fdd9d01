package org.scimflow.audit;

/**
 * One {@code audit_event} row straight from binary {@code COPY … TO STDOUT}, for verification: its
 * values as the record's canonical JSON spells them, never re-parsed into objects. Field positions
 * follow {@link #COLUMNS}.
 */
final class RawRecord {

    static final String COLUMNS = "seq, event_id, schema_version, event_time, recorded_time, correlation_id, "
            + "parent_event_id, cycle_id, channel, action, outcome, actor_type, actor_id, actor_ip, actor_user_agent, "
            + "subject_type, subject_id, subject_name, subject_external_id, target_system, target_id, http_method, "
            + "http_path, http_status, scim_type, error, attempt, duration_ms, changes, prev_hash, record_hash";
    static final int SEQ = 0, EVENT_ID = 1, SCHEMA_VERSION = 2, EVENT_TIME = 3, RECORDED_TIME = 4, CORRELATION_ID = 5,
            PARENT_EVENT_ID = 6, CYCLE_ID = 7, CHANNEL = 8, ACTION = 9, OUTCOME = 10, ACTOR_TYPE = 11, ACTOR_ID = 12,
            ACTOR_IP = 13, ACTOR_USER_AGENT = 14, SUBJECT_TYPE = 15, SUBJECT_ID = 16, SUBJECT_NAME = 17,
            SUBJECT_EXTERNAL_ID = 18, TARGET_SYSTEM = 19, TARGET_ID = 20, HTTP_METHOD = 21, HTTP_PATH = 22,
            HTTP_STATUS = 23, SCIM_TYPE = 24, ERROR = 25, ATTEMPT = 26, DURATION_MS = 27, CHANGES = 28, PREV_HASH = 29,
            RECORD_HASH = 30, COUNT = 31;

    final String[] f;
    final long seq;
    final byte[] prevHash;
    final byte[] recordHash;
    /** Filled by a worker: the recomputed link, and the Merkle leaf hash of the stored record hash. */
    byte[] expectedHash;
    byte[] leafHash;

    private RawRecord(String[] f, long seq, byte[] prevHash, byte[] recordHash) {
        this.f = f;
        this.seq = seq;
        this.prevHash = prevHash;
        this.recordHash = recordHash;
    }

    private static final byte[] BINARY_SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in microseconds since 1970. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    /**
     * Decodes one row of {@code COPY (select COLUMNS …) TO STDOUT WITH (FORMAT binary)}: PostgreSQL sends
     * each row as one message, the first preceded by the file header, then a trailer (returned as null).
     * Values come out as the record's JSON spells them (timestamps as {@link java.time.Instant#toString()}).
     */
    static RawRecord binary(byte[] m) {
        int p = 0;
        if (m.length >= 19 && java.util.Arrays.equals(m, 0, BINARY_SIGNATURE.length, BINARY_SIGNATURE, 0,
                BINARY_SIGNATURE.length)) {
            p = 19 + int32(m, 15);
        }
        int count = (short) int16(m, p);
        p += 2;
        if (count == -1) {
            return null;
        }
        if (count != COUNT) {
            throw new IllegalStateException("unexpected COPY row with " + count + " fields");
        }
        String[] f = new String[COUNT];
        long seq = 0;
        byte[] prev = null;
        byte[] record = null;
        for (int i = 0; i < COUNT; i++) {
            int len = int32(m, p);
            p += 4;
            if (len < 0) {
                continue;
            }
            switch (i) {
                case SEQ -> {
                    seq = int64(m, p);
                    f[i] = Long.toString(seq);
                }
                case EVENT_ID, PARENT_EVENT_ID -> f[i] = new java.util.UUID(int64(m, p), int64(m, p + 8)).toString();
                case SCHEMA_VERSION -> f[i] = Integer.toString((short) int16(m, p));
                case EVENT_TIME, RECORDED_TIME -> f[i] = instantOfMicros(int64(m, p) + PG_EPOCH_MICROS);
                case HTTP_STATUS, ATTEMPT, DURATION_MS -> f[i] = Integer.toString(int32(m, p));
                // jsonb: a format version byte, then the text.
                case CHANGES -> f[i] = new String(m, p + 1, len - 1, java.nio.charset.StandardCharsets.UTF_8);
                case PREV_HASH -> prev = java.util.Arrays.copyOfRange(m, p, p + len);
                case RECORD_HASH -> record = java.util.Arrays.copyOfRange(m, p, p + len);
                default -> f[i] = new String(m, p, len, java.nio.charset.StandardCharsets.UTF_8);
            }
            p += len;
        }
        if (prev == null || record == null) {
            throw new IllegalStateException("record " + seq + " has no prev_hash or record_hash");
        }
        return new RawRecord(f, seq, prev, record);
    }

    /** The current row of a result set over {@link #COLUMNS}, read by position. */
    static RawRecord of(java.sql.ResultSet rs) throws java.sql.SQLException {
        String[] f = new String[COUNT];
        long seq = rs.getLong(SEQ + 1);
        f[SEQ] = Long.toString(seq);
        for (int i = 1; i < COUNT; i++) {
            switch (i) {
                case EVENT_TIME, RECORDED_TIME -> {
                    java.time.OffsetDateTime t = rs.getObject(i + 1, java.time.OffsetDateTime.class);
                    f[i] = t == null ? null : instantOfMicros(t.toEpochSecond() * 1_000_000L + t.getNano() / 1000);
                }
                case PREV_HASH, RECORD_HASH -> { }
                default -> f[i] = rs.getString(i + 1);
            }
        }
        return new RawRecord(f, seq, rs.getBytes(PREV_HASH + 1), rs.getBytes(RECORD_HASH + 1));
    }

    private static int int16(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    private static int int32(byte[] b, int p) {
        return (b[p] << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
    }

    private static long int64(byte[] b, int p) {
        return ((long) int32(b, p) << 32) | (int32(b, p + 4) & 0xffffffffL);
    }

    /** Microseconds since 1970 as {@link java.time.Instant#toString()} prints them (millis or micros shown). */
    static String instantOfMicros(long micros) {
        long secs = Math.floorDiv(micros, 1_000_000L);
        int micro = (int) Math.floorMod(micros, 1_000_000L);
        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(Math.floorDiv(secs, 86_400L));
        if (date.getYear() < 1000 || date.getYear() > 9999) {
            return java.time.Instant.ofEpochSecond(secs, micro * 1000L).toString();
        }
        int sod = (int) Math.floorMod(secs, 86_400L);
        char[] c = new char[27];
        int n = 0;
        n = digits(c, n, date.getYear(), 4);
        c[n++] = '-';
        n = digits(c, n, date.getMonthValue(), 2);
        c[n++] = '-';
        n = digits(c, n, date.getDayOfMonth(), 2);
        c[n++] = 'T';
        n = digits(c, n, sod / 3600, 2);
        c[n++] = ':';
        n = digits(c, n, sod / 60 % 60, 2);
        c[n++] = ':';
        n = digits(c, n, sod % 60, 2);
        if (micro != 0) {
            c[n++] = '.';
            n = micro % 1000 == 0 ? digits(c, n, micro / 1000, 3) : digits(c, n, micro, 6);
        }
        c[n++] = 'Z';
        return new String(c, 0, n);
    }

    private static int digits(char[] c, int n, int v, int width) {
        for (int i = width - 1; i >= 0; i--) {
            c[n + i] = (char) ('0' + v % 10);
            v /= 10;
        }
        return n + width;
    }
}
