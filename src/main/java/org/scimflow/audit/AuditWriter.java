package org.scimflow.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.db.GroupCommit;
import org.scimflow.security.Sha256;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Appends audit events to the audit inbox in PostgreSQL, from which {@link AuditSequencer} links them
 * into the hash chain (docs/decisions/0015, 0016).
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

    /** The inbox's columns (V18): the log's content columns and the hash, in the order {@link #bind} sets them. */
    private static final String COLUMNS = RawRecord.CONTENT_COLUMNS + ", content_hash";
    /** Values per record: the content columns and the hash. */
    private static final int PARAMETERS = RawRecord.CHANGES - RawRecord.EVENT_ID + 2;

    /** Records per INSERT: a batch larger than this takes several statements (in the same transaction). */
    static final int ROWS_PER_STATEMENT = 32;

    /**
     * {@code INSERTS[n]} inserts n records. One statement text per size, so the driver prepares each once
     * per connection and the server plans it once.
     */
    private static final String[] INSERTS = new String[ROWS_PER_STATEMENT + 1];
    /** The same, ending the transaction in the same round trip (see {@link GroupCommit#mayCommitWithLastStatement}). */
    private static final String[] INSERTS_AND_COMMIT = new String[ROWS_PER_STATEMENT + 1];

    static {
        String row = "(" + "?, ".repeat(PARAMETERS - 2) + "?::jsonb, ?)";
        for (int n = 1; n <= ROWS_PER_STATEMENT; n++) {
            INSERTS[n] = "insert into audit_inbox (" + COLUMNS + ") values " + String.join(", ",
                    java.util.Collections.nCopies(n, row));
            INSERTS_AND_COMMIT[n] = INSERTS[n] + ";\ncommit";
        }
    }

    /**
     * Puts {@code events}, in this order, into the inbox in the current transaction, each as the log's
     * columns with the SHA-256 of its RFC 8785 canonical content: they commit with the write they describe
     * and join the chain when {@link AuditSequencer} next runs.
     */
    private void appendNow(List<AuditEvent> events, List<AtomicReference<AuditEvent>> results) {
        int n = events.size();
        EventFields[] stamped = new EventFields[n];
        byte[][] contentHashes = new byte[n][];
        Instant now = Instant.now();
        CanonicalJson.Out content = new CanonicalJson.Out(1024);
        for (int i = 0; i < n; i++) {
            AuditEvent source = events.get(i);
            JsonNode storedChanges = source.changes();
            byte[] changesJson = null;
            if (AuditRecordCodec.hasChanges(source)) {
                changesJson = CanonicalJson.bytes(storedChanges);
                if (mayHoldNul(changesJson)) {
                    storedChanges = AuditEvent.storable(storedChanges);
                    changesJson = CanonicalJson.bytes(storedChanges);
                }
            }
            AuditEvent e = source.toBuilder().recordedTime(now).changes(storedChanges).build();
            stamped[i] = new EventFields(e, changesJson);
            content.reset();
            codec.writeCanonicalContent(stamped[i], content);
            contentHashes[i] = Sha256.of(content.buf, 0, content.len);
            results.get(i).set(e);
        }
        boolean commit = GroupCommit.mayCommitWithLastStatement();
        int inserted = jdbc.execute((java.sql.Connection con) -> {
            int rows = 0;
            for (int from = 0; from < n; from += ROWS_PER_STATEMENT) {
                int size = Math.min(ROWS_PER_STATEMENT, n - from);
                boolean last = from + size == n;
                try (PreparedStatement ps = con.prepareStatement((commit && last ? INSERTS_AND_COMMIT : INSERTS)[size])) {
                    for (int i = 0; i < size; i++) {
                        bind(ps, i * PARAMETERS, stamped[from + i], contentHashes[from + i]);
                    }
                    ps.execute();
                    rows += ps.getUpdateCount();
                }
            }
            return rows;
        });
        if (inserted != n) {
            throw new IllegalStateException("audit_inbox took " + inserted + " rows for " + n + " records");
        }
    }

    /** Sets one record's {@link #PARAMETERS} values, after the first {@code offset} parameters. */
    private static void bind(PreparedStatement ps, int offset, EventFields e, byte[] contentHash) throws SQLException {
        int p = offset;
        for (int col = RawRecord.EVENT_ID; col < RawRecord.CHANGES; col++) {
            Object v = e.value(col);
            p++;
            if (v == null) {
                ps.setNull(p, nullType(col));
            } else if (v instanceof String s) {
                ps.setString(p, s);
            } else if (v instanceof Instant t) {
                ps.setObject(p, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
            } else if (col == RawRecord.SCHEMA_VERSION) {
                ps.setShort(p, ((Integer) v).shortValue());
            } else if (v instanceof Integer i) {
                ps.setInt(p, i);
            } else {
                ps.setObject(p, v);
            }
        }
        byte[] changes = e.changes(); // the canonical bytes the hash covers
        ps.setString(++p, changes == null ? null : new String(changes, StandardCharsets.UTF_8));
        ps.setBytes(++p, contentHash);
    }

    /** The SQL type a null in content column {@code col} is bound as. */
    private static int nullType(int col) {
        return switch (col) {
            case RawRecord.EVENT_ID, RawRecord.PARENT_EVENT_ID -> Types.OTHER;
            case RawRecord.EVENT_TIME, RawRecord.RECORDED_TIME -> Types.TIMESTAMP_WITH_TIMEZONE;
            case RawRecord.SCHEMA_VERSION -> Types.SMALLINT;
            case RawRecord.HTTP_STATUS, RawRecord.ATTEMPT, RawRecord.DURATION_MS -> Types.INTEGER;
            default -> Types.VARCHAR;
        };
    }

    /**
     * Whether canonical JSON text may hold an escaped NUL (a backslash, {@code u} and four zeros), which
     * PostgreSQL cannot store (see {@link AuditEvent#storable(String)}). Text that only looks like one (an
     * escaped backslash before {@code u0000}) takes the slow path for nothing.
     */
    private static boolean mayHoldNul(byte[] json) {
        for (int i = 0; i + 5 < json.length; i++) {
            if (json[i] == '\\' && json[i + 1] == 'u' && json[i + 2] == '0' && json[i + 3] == '0' && json[i + 4] == '0'
                    && json[i + 5] == '0') {
                return true;
            }
        }
        return false;
    }

    public boolean isEnabled() {
        return enabled;
    }
}
