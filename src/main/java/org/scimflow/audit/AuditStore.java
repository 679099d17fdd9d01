package org.scimflow.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
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

    /** One page after the query's cursor; one extra row is read to know whether a next page exists. */
    public List<AuditEvent> page(AuditQuery q) {
        AuditQuery.Where w = q.where();
        List<Object> params = new ArrayList<>(w.params());
        String sql = "select * from audit_event where " + w.sql();
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
        AuditQuery.Where w = q.where();
        List<Object> params = new ArrayList<>(w.params());
        String sql = "select * from audit_event where " + w.sql() + " and seq <= ?";
        params.add(maxSeq);
        if (q.afterSeq() != null) {
            sql += " and seq > ?";
            params.add(q.afterSeq());
        }
        String query = sql + " order by seq asc";
        readOnlyTx.executeWithoutResult(status -> {
            JdbcTemplate streaming = new JdbcTemplate(jdbc.getDataSource());
            streaming.setFetchSize(1000);
            streaming.query(query, rs -> {
                sink.accept(codec.fromRow(rs));
            }, params.toArray());
        });
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

    public long headSeq() {
        Long v = jdbc.queryForObject("select seq from audit_chain_head where chain_id = 1", Long.class);
        return v == null ? 0 : v;
    }
}
