package org.scimflow.audit;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.db.GroupCommit;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Appends audit events to the audit inbox in PostgreSQL, from which {@link AuditSequencer} links them
 * into the hash chain (docs/decisions/0015).
 *
 * <p>Runs in the caller's transaction when there is one: a SCIM write and its audit record commit
 * together or not at all. The record gets its {@code seq} and links when it is sequenced, in the order
 * records were inserted into the inbox.
 */
@Component
public class AuditWriter {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AuditWriter.class);

    private final JdbcTemplate jdbc;
    private final AuditRecordCodec codec;
    private final boolean enabled;

    private final GroupCommit groupCommit;

    public AuditWriter(JdbcTemplate jdbc, AuditRecordCodec codec, ScimflowProperties props,
                       GroupCommit groupCommit) {
        this.jdbc = jdbc;
        this.groupCommit = groupCommit;
        this.codec = codec;
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

    /** Inserts a batch into the inbox (V17): each record's canonical content and its SHA-256. */
    private static final String INBOX = "insert into audit_inbox (record, content_hash) "
            + "select * from unnest(?::jsonb[], ?::bytea[])";

    /**
     * Puts {@code events}, in this order, into the inbox with one statement, in the current transaction:
     * they commit with the write they describe and join the chain when {@link AuditSequencer} next runs.
     */
    private void appendNow(List<AuditEvent> events, List<AtomicReference<AuditEvent>> results) {
        int n = events.size();
        String[] records = new String[n];
        byte[][] contentHashes = new byte[n][];
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
            AuditEvent source = events.get(i);
            AuditEvent e = source.toBuilder().recordedTime(now).changes(AuditEvent.storable(source.changes())).build();
            byte[] content = codec.canonicalContent(e);
            records[i] = new String(content, StandardCharsets.UTF_8);
            contentHashes[i] = AuditRecordCodec.sha256(content);
            results.get(i).set(e);
        }
        int inserted = jdbc.execute((java.sql.Connection con) -> {
            try (PreparedStatement ps = con.prepareStatement(INBOX)) {
                ps.setArray(1, con.createArrayOf("text", records));
                ps.setArray(2, con.createArrayOf("bytea", contentHashes));
                return ps.executeUpdate();
            }
        });
        if (inserted != n) {
            throw new IllegalStateException("audit_inbox took " + inserted + " rows for " + n + " records");
        }
    }

    public boolean isEnabled() {
        return enabled;
    }
}
