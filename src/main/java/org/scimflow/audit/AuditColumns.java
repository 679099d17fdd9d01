package org.scimflow.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Binds a batch of audit events to {@code audit_append_columns} (V11): one array per column, in the
 * function's parameter order, then the content hashes. uuid and timestamptz columns travel as text
 * arrays and are cast once per array by the call.
 */
final class AuditColumns {

    static final String CALL = "select out_seq, out_record_hash from audit_append_columns("
            + "?::uuid[], ?::int2[], ?::timestamptz[], ?::timestamptz[], ?, ?::uuid[], ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb[], ?)";

    private AuditColumns() {
    }

    /** Binds {@code events} (with their {@code recordedTime} set) and their content hashes to {@link #CALL}. */
    static void bind(Connection con, PreparedStatement ps, List<AuditEvent> events, byte[][] contentHashes,
                     ObjectMapper mapper) throws SQLException {
        int p = 1;
        ps.setArray(p++, text(con, events, e -> AuditRecordCodec.str(e.eventId())));
        ps.setArray(p++, ints(con, events, AuditEvent::schemaVersion));
        ps.setArray(p++, text(con, events, e -> AuditRecordCodec.str(e.eventTime())));
        ps.setArray(p++, text(con, events, e -> AuditRecordCodec.str(e.recordedTime())));
        ps.setArray(p++, text(con, events, AuditEvent::correlationId));
        ps.setArray(p++, text(con, events, e -> AuditRecordCodec.str(e.parentEventId())));
        ps.setArray(p++, text(con, events, AuditEvent::cycleId));
        ps.setArray(p++, text(con, events, AuditEvent::channel));
        ps.setArray(p++, text(con, events, AuditEvent::action));
        ps.setArray(p++, text(con, events, AuditEvent::outcome));
        ps.setArray(p++, text(con, events, AuditEvent::actorType));
        ps.setArray(p++, text(con, events, AuditEvent::actorId));
        ps.setArray(p++, text(con, events, AuditEvent::actorIp));
        ps.setArray(p++, text(con, events, AuditEvent::actorUserAgent));
        ps.setArray(p++, text(con, events, AuditEvent::subjectType));
        ps.setArray(p++, text(con, events, AuditEvent::subjectId));
        ps.setArray(p++, text(con, events, AuditEvent::subjectName));
        ps.setArray(p++, text(con, events, AuditEvent::subjectExternalId));
        ps.setArray(p++, text(con, events, AuditEvent::targetSystem));
        ps.setArray(p++, text(con, events, AuditEvent::targetId));
        ps.setArray(p++, text(con, events, AuditEvent::httpMethod));
        ps.setArray(p++, text(con, events, AuditEvent::httpPath));
        ps.setArray(p++, ints(con, events, AuditEvent::httpStatus));
        ps.setArray(p++, text(con, events, AuditEvent::scimType));
        ps.setArray(p++, text(con, events, AuditEvent::error));
        ps.setArray(p++, ints(con, events, AuditEvent::attempt));
        ps.setArray(p++, ints(con, events, AuditEvent::durationMs));
        ps.setArray(p++, text(con, events, e -> json(mapper, e)));
        ps.setArray(p, con.createArrayOf("bytea", contentHashes));
    }

    private static java.sql.Array text(Connection con, List<AuditEvent> events, Function<AuditEvent, String> f)
            throws SQLException {
        return array(con, "text", events, f, String[]::new);
    }

    private static java.sql.Array ints(Connection con, List<AuditEvent> events, Function<AuditEvent, Integer> f)
            throws SQLException {
        return array(con, "int4", events, f, Integer[]::new);
    }

    private static <T> java.sql.Array array(Connection con, String type, List<AuditEvent> events,
                                            Function<AuditEvent, T> f, IntFunction<T[]> newArray) throws SQLException {
        T[] values = newArray.apply(events.size());
        for (int i = 0; i < values.length; i++) {
            values[i] = f.apply(events.get(i));
        }
        return con.createArrayOf(type, values);
    }

    /** The changes column: null when there are none, as the hashed content leaves them out then. */
    private static String json(ObjectMapper mapper, AuditEvent e) {
        if (!AuditRecordCodec.hasChanges(e)) {
            return null;
        }
        try {
            return mapper.writeValueAsString(e.changes());
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("audit changes not serialisable", ex);
        }
    }
}
