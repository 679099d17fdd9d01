package org.scimflow.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.db.GroupCommit;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Appends audit events to the hash chain in PostgreSQL.
 *
 * <p>Runs in the caller's transaction when there is one: a SCIM write and its audit record commit
 * together or not at all. The chain head is locked until that transaction ends, which is what makes
 * {@code seq} gap-free and equal to commit order.
 */
@Component
public class AuditWriter {

    private final JdbcTemplate jdbc;
    private final AuditRecordCodec codec;
    private final ObjectMapper mapper;
    private final boolean enabled;

    private final GroupCommit groupCommit;

    public AuditWriter(JdbcTemplate jdbc, AuditRecordCodec codec, ObjectMapper mapper, ScimflowProperties props,
                       GroupCommit groupCommit) {
        this.jdbc = jdbc;
        this.groupCommit = groupCommit;
        this.codec = codec;
        this.mapper = mapper;
        this.enabled = props.getAudit().isEnabled();
    }

    /**
     * Appends the event and returns it with its chain fields set; a no-op only when audit is switched off.
     * Inside a transaction the record joins it; outside, it is committed (with others) before this returns.
     */
    public AuditEvent append(AuditEvent event) {
        if (!enabled) {
            return event;
        }
        java.util.concurrent.atomic.AtomicReference<AuditEvent> appended = new java.util.concurrent.atomic.AtomicReference<>(event);
        // In a group-commit batch the append itself waits for the end of the batch (see GroupCommit):
        // the chain head is then locked only for the appends and the commit, not for the writes' work.
        groupCommit.execute(status -> {
            GroupCommit.beforeCommit(() -> appended.set(appendInTransaction(event)));
            return null;
        });
        return appended.get();
    }

    private AuditEvent appendInTransaction(AuditEvent event) {
        AuditEvent e = event.toBuilder().recordedTime(Instant.now()).build();
        byte[] contentHash = codec.contentHash(e);
        String row;
        try {
            row = mapper.writeValueAsString(codec.toColumns(e));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("audit event not serialisable", ex);
        }
        return jdbc.queryForObject("select out_seq, out_record_hash from audit_append(?::jsonb, ?)",
                (rs, i) -> e.toBuilder().seq(rs.getLong(1)).recordHash(rs.getBytes(2)).build(),
                row, contentHash);
    }

    public boolean isEnabled() {
        return enabled;
    }
}
