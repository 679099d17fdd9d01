package org.scimflow.audit;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/** Reads of the audit table: pages for the API, a forward-only stream for exports and the relay. */
@Repository
public class AuditStore {

    private final JdbcTemplate jdbc;
    private final AuditRecordCodec codec;
    private final TransactionTemplate readOnlyTx;

    public AuditStore(JdbcTemplate jdbc, AuditRecordCodec codec, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.codec = codec;
        this.readOnlyTx = new TransactionTemplate(tx.getTransactionManager());
        this.readOnlyTx.setReadOnly(true);
    }

    /**
     * How far an event's time may run ahead of the database clock that stamps {@code chain_time}: an event
     * at time t is stored with {@code chain_time >= t - CLOCK_SKEW}. {@code event_time} is when the hub saw
     * the exchange begin, so this only has to cover hub and database clocks apart (NTP keeps them within
     * milliseconds). A record whose event_time ran further ahead would be missed by time-bounded pages;
     * every record the hub writes has event_time at or before its append.
     */
    static final java.time.Duration CLOCK_SKEW = java.time.Duration.ofMinutes(1);

    /**
     * The first seq whose {@code chain_time} is at or after {@code t}, or null if none. {@code chain_time}
     * never decreases along seq, so a binary search of primary-key lookups finds it without an index of
     * its own (which every audited write would pay for).
     */
    Long firstSeqAtOrAfter(java.time.Instant t) {
        java.sql.Timestamp at = java.sql.Timestamp.from(t);
        List<Long> ends = jdbc.queryForList("select seq from audit_chain_head where chain_id = 1", Long.class);
        Long first = jdbc.query("select seq from audit_event order by seq limit 1", rs -> rs.next() ? rs.getLong(1) : null);
        if (first == null || ends.isEmpty()) {
            return null;
        }
        long lo = first;
        long hi = ends.get(0) + 1; // answer in [lo, hi]; hi means "none"
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            // The record at mid, or the next one after a gap.
            List<Object[]> r = jdbc.query("select seq, chain_time >= ? from audit_event where seq >= ? order by seq limit 1",
                    (rs, i) -> new Object[] {rs.getLong(1), rs.getBoolean(2)}, at, mid);
            if (r.isEmpty()) {
                hi = mid;
            } else if ((Boolean) r.get(0)[1]) {
                hi = mid;
            } else {
                lo = (Long) r.get(0)[0] + 1;
            }
        }
        return lo > ends.get(0) ? null : lo;
    }

    /**
     * Where a seq-ordered scan for {@code q} may start: records of its {@code from} time or later are
     * stored at or after this seq. Null without a from bound; -1 when no record is that recent.
     */
    private Long lowerSeq(AuditQuery q) {
        if (q.from() == null) {
            return null;
        }
        Long lower = firstSeqAtOrAfter(q.from().minus(CLOCK_SKEW));
        return lower == null ? -1L : lower;
    }

    /** One page after the query's cursor; one extra row is read to know whether a next page exists. */
    public List<AuditEvent> page(AuditQuery q) {
        AuditQuery.Where w = q.where();
        List<Object> params = new ArrayList<>(w.params());
        String sql = "select * from audit_event where " + w.sql();
        Long lower = lowerSeq(q);
        if (lower != null) {
            if (lower < 0) {
                return List.of();
            }
            sql += " and seq >= ?";
            params.add(lower);
        }
        if (q.afterSeq() != null) {
            sql += q.descending() ? " and seq < ?" : " and seq > ?";
            params.add(q.afterSeq());
        }
        sql += " order by seq " + (q.descending() ? "desc" : "asc") + " limit ?";
        params.add(q.limit() + 1);
        return jdbc.query(sql, (rs, i) -> codec.fromRow(rs), params.toArray());
    }

    public Optional<AuditEvent> byEventId(UUID id) {
        return jdbc.query("select * from audit_event where event_id = ?", (rs, i) -> codec.fromRow(rs), id)
                .stream().findFirst();
    }

    /** Every matching record in seq order, streamed from a server-side cursor (memory stays flat). */
    public void stream(AuditQuery q, long maxSeq, Consumer<AuditEvent> sink) {
        streamRows(q, maxSeq, "*", rs -> sink.accept(codec.fromRow(rs)));
    }

    /**
     * The same records as {@link #stream}, as their column values ({@link RawRecord}): what an NDJSON
     * export writes through {@link FastCanonical} without building objects per record.
     */
    void streamRaw(AuditQuery q, long maxSeq, Consumer<RawRecord> sink) {
        streamRows(q, maxSeq, RawRecord.COLUMNS, rs -> sink.accept(RawRecord.of(rs)));
    }

    private void streamRows(AuditQuery q, long maxSeq, String columns,
                            org.springframework.jdbc.core.RowCallbackHandler handler) {
        AuditQuery.Where w = q.where();
        List<Object> params = new ArrayList<>(w.params());
        String sql = "select " + columns + " from audit_event where " + w.sql() + " and seq <= ?";
        params.add(maxSeq);
        if (q.afterSeq() != null) {
            sql += " and seq > ?";
            params.add(q.afterSeq());
        }
        Long lower = lowerSeq(q);
        if (lower != null) {
            if (lower < 0) {
                return;
            }
            sql += " and seq >= ?";
            params.add(lower);
        }
        String query = sql + " order by seq asc";
        readOnlyTx.executeWithoutResult(status -> {
            JdbcTemplate streaming = new JdbcTemplate(jdbc.getDataSource());
            streaming.setFetchSize(1000);
            streaming.query(query, handler, params.toArray());
        });
    }

    /**
     * Runs {@code work} with the record hashes of seq {@code after + 1 … upTo} as Merkle leaves (leaf i is
     * seq i + 1), read from a database cursor: {@code work} must ask for leaves in ascending order, each at
     * most once ({@link MerkleTree#inclusionProof} does), and memory stays flat however long the log.
     */
    public <T> T withRecordHashes(long after, long upTo, Function<LongFunction<byte[]>, T> work) {
        return readOnlyTx.execute(status -> jdbc.execute((ConnectionCallback<T>) con -> {
            try (PreparedStatement ps = con.prepareStatement(
                    "select seq, record_hash from audit_event where seq > ? and seq <= ? order by seq")) {
                ps.setFetchSize(10_000);
                ps.setLong(1, after);
                ps.setLong(2, upTo);
                try (ResultSet rs = ps.executeQuery()) {
                    long[] at = {after};
                    return work.apply(leaf -> {
                        long wanted = leaf + 1;
                        try {
                            while (at[0] < wanted && rs.next()) {
                                at[0] = rs.getLong(1);
                            }
                            if (at[0] != wanted) {
                                throw new IllegalStateException("audit chain has no record " + wanted
                                        + " between " + after + " and " + upTo + " (or it was asked for out of order)");
                            }
                            return rs.getBytes(2);
                        } catch (SQLException e) {
                            throw new IllegalStateException("reading record hashes failed", e);
                        }
                    });
                }
            }
        }));
    }

    /** Records after {@code seq}, in order, for the relay. */
    public List<AuditEvent> after(long seq, int limit) {
        return jdbc.query("select * from audit_event where seq > ? order by seq limit ?",
                (rs, i) -> codec.fromRow(rs), seq, limit);
    }

    public long relayPosition(String relay) {
        Long v = jdbc.queryForObject("select last_seq from audit_relay_state where relay = ?", Long.class, relay);
        return v == null ? 0 : v;
    }

    public void relayAdvance(String relay, long seq) {
        jdbc.update("update audit_relay_state set last_seq = ?, updated_time = now() where relay = ? and last_seq < ?",
                seq, relay, seq);
    }

    /** The last seq retention purged (the records up to it are in archives), or 0. */
    public long purgeBoundary() {
        return jdbc.queryForObject("select coalesce(max(last_seq), 0) from audit_purge", Long.class);
    }

    public long headSeq() {
        Long v = jdbc.queryForObject("select seq from audit_chain_head where chain_id = 1", Long.class);
        return v == null ? 0 : v;
    }
}
