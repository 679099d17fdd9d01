package org.scimflow.audit;

/**
 * One {@code audit_event} row as text fields straight from {@code COPY … TO STDOUT}, for verification:
 * hashing works on the text, never on re-parsed objects. Field positions follow {@link #COLUMNS}.
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

    RawRecord(String[] f) {
        this.f = f;
        this.seq = Long.parseLong(f[SEQ]);
        this.prevHash = bytea(f[PREV_HASH]);
        this.recordHash = bytea(f[RECORD_HASH]);
    }

    /**
     * Splits one line of PostgreSQL's text COPY format ({@code \N} is null; backslash escapes decoded),
     * decoding each field from the line's bytes on its own (a tab byte never occurs inside a UTF-8
     * sequence, so splitting before decoding is safe).
     */
    static String[] split(byte[] line) {
        int n = line.length;
        if (n > 0 && line[n - 1] == '\n') {
            n--;
        }
        String[] out = new String[COUNT];
        int field = 0;
        int start = 0;
        for (int i = 0; i <= n; i++) {
            if (i == n || line[i] == '\t') {
                if (field == COUNT) {
                    throw new IllegalStateException("unexpected COPY row with more than " + COUNT + " fields");
                }
                out[field++] = field(line, start, i);
                start = i + 1;
            }
        }
        if (field != COUNT) {
            throw new IllegalStateException("unexpected COPY row with " + field + " fields");
        }
        return out;
    }

    private static String field(byte[] b, int start, int end) {
        if (end - start == 2 && b[start] == '\\' && b[start + 1] == 'N') {
            return null;
        }
        int bs = -1;
        for (int i = start; i < end; i++) {
            if (b[i] == '\\') {
                bs = i;
                break;
            }
        }
        if (bs < 0) {
            return new String(b, start, end - start, java.nio.charset.StandardCharsets.UTF_8);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(end - start);
        for (int i = start; i < end; i++) {
            byte c = b[i];
            if (c == '\\' && i + 1 < end) {
                byte e = b[++i];
                switch (e) {
                    case 'n' -> out.write('\n');
                    case 'r' -> out.write('\r');
                    case 't' -> out.write('\t');
                    case 'b' -> out.write('\b');
                    case 'f' -> out.write('\f');
                    case 'v' -> out.write(0x0b);
                    default -> out.write(e);
                }
            } else {
                out.write(c);
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** bytea in hex output format: {@code \x0a1b…}. */
    static byte[] bytea(String s) {
        if (s == null || !s.startsWith("\\x")) {
            throw new IllegalStateException("bytea not in hex format");
        }
        return java.util.HexFormat.of().parseHex(s, 2, s.length());
    }

    /**
     * A {@code timestamptz} printed with TimeZone UTC and DateStyle ISO ({@code 2026-11-29 07:30:59.4224+00})
     * as {@link java.time.Instant#toString()} prints it ({@code 2026-11-29T07:30:59.422400Z}).
     */
    static String instant(String pg) {
        if (pg == null) {
            return null;
        }
        int plus = pg.lastIndexOf('+');
        if (pg.length() < 19 || pg.charAt(10) != ' ' || plus < 19 || !pg.endsWith("+00")) {
            return java.time.OffsetDateTime.parse(pg.replace(' ', 'T').replaceAll("\\+00$", "Z")).toInstant().toString();
        }
        StringBuilder sb = new StringBuilder(27).append(pg, 0, 10).append('T').append(pg, 11, 19);
        if (plus > 20 && pg.charAt(19) == '.') {
            char[] six = {'0', '0', '0', '0', '0', '0'};
            for (int i = 20, j = 0; i < plus && j < 6; i++, j++) {
                six[j] = pg.charAt(i);
            }
            boolean zero = true;
            for (char c : six) {
                zero &= c == '0';
            }
            if (!zero) {
                boolean millis = six[3] == '0' && six[4] == '0' && six[5] == '0';
                sb.append('.').append(six, 0, millis ? 3 : 6);
            }
        }
        return sb.append('Z').toString();
    }
}
