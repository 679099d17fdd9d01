package org.scimflow.audit;

/**
 * One {@code audit_event} row as its column values in text, for NDJSON exports: the values as the
 * record's canonical JSON spells them, never re-parsed into objects. Field positions follow
 * {@link #COLUMNS}, which binary COPY rows ({@link BinaryRow}) follow too.
 */
final class RawRecord implements FastCanonical.Fields {

    /** The record's content columns, {@link #EVENT_ID} to {@link #CHANGES}: what the writer binds, in this order. */
    static final String CONTENT_COLUMNS = "event_id, schema_version, event_time, recorded_time, correlation_id, "
            + "parent_event_id, cycle_id, channel, action, outcome, actor_type, actor_id, actor_ip, actor_user_agent, "
            + "subject_type, subject_id, subject_name, subject_external_id, target_system, target_id, http_method, "
            + "http_path, http_status, scim_type, error, attempt, duration_ms, changes";
    static final String COLUMNS = "seq, " + CONTENT_COLUMNS + ", prev_hash, record_hash";
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
    private byte[] changes;

    private RawRecord(String[] f, long seq, byte[] prevHash, byte[] recordHash) {
        this.f = f;
        this.seq = seq;
        this.prevHash = prevHash;
        this.recordHash = recordHash;
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
                    f[i] = t == null ? null
                            : BinaryRow.instantOfMicros(t.toEpochSecond() * 1_000_000L + t.getNano() / 1000);
                }
                case PREV_HASH, RECORD_HASH -> { }
                default -> f[i] = rs.getString(i + 1);
            }
        }
        return new RawRecord(f, seq, rs.getBytes(PREV_HASH + 1), rs.getBytes(RECORD_HASH + 1));
    }

    @Override
    public boolean has(int col) {
        return f[col] != null;
    }

    @Override
    public void string(int col, CanonicalJson.Out o) {
        CanonicalJson.string(f[col], o);
    }

    @Override
    public void number(int col, CanonicalJson.Out o) {
        o.number(Long.parseLong(f[col]));
    }

    @Override
    public byte[] changes() {
        if (changes == null && f[CHANGES] != null) {
            changes = f[CHANGES].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return changes;
    }
}
