package org.scimflow.audit;

/**
 * An {@link AuditEvent}'s values as {@link FastCanonical} reads them, for the writer: the record's canonical
 * content written straight from the event, without building its JSON tree first. {@code changes} comes
 * already in canonical bytes, the same bytes the writer binds for the {@code changes} column.
 */
final class EventFields implements FastCanonical.Fields {

    private final AuditEvent e;
    private final byte[] changes;

    /** {@code changes}: {@code CanonicalJson.bytes(e.changes())}, or null when the record has none. */
    EventFields(AuditEvent e, byte[] changes) {
        this.e = e;
        this.changes = changes;
    }

    /**
     * The value of content column {@code col} ({@link RawRecord#EVENT_ID} to {@link RawRecord#DURATION_MS}):
     * a UUID, Instant, Integer or String, or null.
     */
    Object value(int col) {
        return switch (col) {
            case RawRecord.EVENT_ID -> e.eventId();
            case RawRecord.SCHEMA_VERSION -> e.schemaVersion();
            case RawRecord.EVENT_TIME -> e.eventTime();
            case RawRecord.RECORDED_TIME -> e.recordedTime();
            case RawRecord.CORRELATION_ID -> e.correlationId();
            case RawRecord.PARENT_EVENT_ID -> e.parentEventId();
            case RawRecord.CYCLE_ID -> e.cycleId();
            case RawRecord.CHANNEL -> e.channel();
            case RawRecord.ACTION -> e.action();
            case RawRecord.OUTCOME -> e.outcome();
            case RawRecord.ACTOR_TYPE -> e.actorType();
            case RawRecord.ACTOR_ID -> e.actorId();
            case RawRecord.ACTOR_IP -> e.actorIp();
            case RawRecord.ACTOR_USER_AGENT -> e.actorUserAgent();
            case RawRecord.SUBJECT_TYPE -> e.subjectType();
            case RawRecord.SUBJECT_ID -> e.subjectId();
            case RawRecord.SUBJECT_NAME -> e.subjectName();
            case RawRecord.SUBJECT_EXTERNAL_ID -> e.subjectExternalId();
            case RawRecord.TARGET_SYSTEM -> e.targetSystem();
            case RawRecord.TARGET_ID -> e.targetId();
            case RawRecord.HTTP_METHOD -> e.httpMethod();
            case RawRecord.HTTP_PATH -> e.httpPath();
            case RawRecord.HTTP_STATUS -> e.httpStatus();
            case RawRecord.SCIM_TYPE -> e.scimType();
            case RawRecord.ERROR -> e.error();
            case RawRecord.ATTEMPT -> e.attempt();
            case RawRecord.DURATION_MS -> e.durationMs();
            default -> throw new IllegalArgumentException("no content column " + col);
        };
    }

    @Override
    public boolean has(int col) {
        return value(col) != null;
    }

    /** As {@link AuditRecordCodec#content} puts them: the value's {@code toString()}. */
    @Override
    public void string(int col, CanonicalJson.Out o) {
        CanonicalJson.string(value(col).toString(), o);
    }

    @Override
    public void number(int col, CanonicalJson.Out o) {
        o.number(((Number) value(col)).longValue());
    }

    @Override
    public byte[] changes() {
        return changes;
    }

    @Override
    public boolean changesCanonical() {
        return true;
    }
}
