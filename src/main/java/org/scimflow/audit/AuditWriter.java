package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
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

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AuditWriter.class);

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
        AtomicReference<AuditEvent> appended = new AtomicReference<>(event);
        groupCommit.executeAtCommit(appendAtBatchEnd(event, appended));
        return appended.get();
    }

    /**
     * In a group-commit batch the append itself waits for the end of the batch (see GroupCommit): the chain
     * head is then locked only for the appends and the commit, not for the writes' work, and the batch's
     * records go in with one statement. Outside a batch it appends at once.
     */
    private Runnable appendAtBatchEnd(AuditEvent event, AtomicReference<AuditEvent> appended) {
        return () -> {
            Batch batch = GroupCommit.batchEnd(this, Batch::new);
            if (batch == null) {
                appendNow(List.of(event), List.of(appended));
            } else {
                batch.add(event, appended);
            }
        };
    }

    /**
     * Appends the event without waiting for its commit, for calls that changed nothing (reads, rejected
     * calls): the caller's thread goes back to serving at once, and the records lane commits these in
     * batches as large as have queued. Durable before the hub acknowledges shutdown (see
     * {@link GroupCommit#submitAtCommit}); a failed append is logged. Inside a transaction it joins it.
     */
    public void appendLater(AuditEvent event) {
        if (!enabled) {
            return;
        }
        groupCommit.submitAtCommit(appendAtBatchEnd(event, new AtomicReference<>(event)))
                .whenComplete((ok, failed) -> {
                    if (failed != null) {
                        log.error("Audit record {} of {} could not be written", event.eventId(), event.action(),
                                failed);
                    }
                });
    }

    /** The records of one group-commit batch, appended together after the batch's last write. */
    private final class Batch implements Runnable {
        private final List<AuditEvent> events = new ArrayList<>();
        private final List<AtomicReference<AuditEvent>> results = new ArrayList<>();

        void add(AuditEvent event, AtomicReference<AuditEvent> result) {
            events.add(event);
            results.add(result);
        }

        @Override
        public void run() {
            appendNow(events, results);
        }
    }

    /** Links {@code events} into the chain in this order with one {@code audit_append_columns} call. */
    private void appendNow(List<AuditEvent> events, List<AtomicReference<AuditEvent>> results) {
        int n = events.size();
        List<AuditEvent> stamped = new ArrayList<>(n);
        byte[][] contentHashes = new byte[n][];
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
            AuditEvent source = events.get(i);
            AuditEvent e = source.toBuilder().recordedTime(now).changes(AuditEvent.storable(source.changes())).build();
            stamped.add(e);
            contentHashes[i] = codec.contentHash(e);
        }
        int[] i = {0};
        jdbc.query(con -> {
            PreparedStatement ps = con.prepareStatement(AuditColumns.CALL);
            AuditColumns.bind(con, ps, stamped, contentHashes, mapper);
            return ps;
        }, (ResultSet rs) -> {
            int k = i[0]++;
            results.get(k).set(stamped.get(k).toBuilder().seq(rs.getLong(1)).recordHash(rs.getBytes(2)).build());
        });
        if (i[0] != n) {
            throw new IllegalStateException("audit_append_columns returned " + i[0] + " rows for " + n + " records");
        }
    }

    public boolean isEnabled() {
        return enabled;
    }
}
