package org.scimflow.audit;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Re-computes the audit hash chain from the stored rows and names every record that does not fit:
 * a changed record ({@code HASH_MISMATCH}), a missing sequence number ({@code MISSING_SEQ}), a link that
 * does not point at its predecessor ({@code CHAIN_BREAK}), or a chain head that disagrees with the last
 * record ({@code TRUNCATED}).
 */
@Component
public class AuditVerifier {

    /** One problem found, at one sequence number. */
    public record Finding(long seq, String kind, String detail) { }

    /** The outcome of a verification run. */
    public record Result(long checked, long firstSeq, long lastSeq, List<Finding> findings) {
        public boolean intact() {
            return findings.isEmpty();
        }
    }

    private static final int MAX_FINDINGS = 1000;
    private final JdbcTemplate jdbc;
    private final AuditRecordCodec codec;
    private final TransactionTemplate tx;

    public AuditVerifier(JdbcTemplate jdbc, AuditRecordCodec codec, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.codec = codec;
        this.tx = new TransactionTemplate(tx.getTransactionManager());
        this.tx.setReadOnly(true);
    }

    public Result verify() {
        return verify(1, Long.MAX_VALUE);
    }

    public Result verify(long fromSeq, long toSeq) {
        return tx.execute(status -> {
            List<Finding> findings = new ArrayList<>();
            long[] state = {fromSeq - 1, 0, 0}; // expected previous seq, checked count, last seq
            byte[][] prev = {null};
            if (fromSeq > 1) {
                List<byte[]> before = jdbc.query("select record_hash from audit_event where seq = ?",
                        (rs, i) -> rs.getBytes(1), fromSeq - 1);
                prev[0] = before.isEmpty() ? null : before.get(0);
            } else {
                prev[0] = new byte[32];
            }
            JdbcTemplate streaming = new JdbcTemplate(jdbc.getDataSource());
            streaming.setFetchSize(2000);
            streaming.query("select * from audit_event where seq >= ? and seq <= ? order by seq", rs -> {
                AuditEvent e = codec.fromRow(rs);
                long seq = e.seq();
                if (seq != state[0] + 1) {
                    for (long missing = state[0] + 1; missing < seq && findings.size() < MAX_FINDINGS; missing++) {
                        findings.add(new Finding(missing, "MISSING_SEQ", "no record with this sequence number"));
                    }
                }
                if (prev[0] != null && !MessageDigest.isEqual(prev[0], e.prevHash()) && findings.size() < MAX_FINDINGS) {
                    findings.add(new Finding(seq, "CHAIN_BREAK", "prev_hash does not match the record before it"));
                }
                byte[] expected = AuditRecordCodec.chainHash(e.prevHash(), seq, codec.contentHash(e));
                if (!MessageDigest.isEqual(expected, e.recordHash()) && findings.size() < MAX_FINDINGS) {
                    findings.add(new Finding(seq, "HASH_MISMATCH", "record content does not match its hash"));
                }
                prev[0] = e.recordHash();
                state[0] = seq;
                state[1]++;
                state[2] = seq;
            }, fromSeq, toSeq);
            if (toSeq == Long.MAX_VALUE) {
                var head = jdbc.queryForMap("select seq, head_hash from audit_chain_head where chain_id = 1");
                long headSeq = ((Number) head.get("seq")).longValue();
                if (headSeq > state[0]) {
                    findings.add(new Finding(state[0] + 1, "TRUNCATED",
                            "chain head is at seq " + headSeq + " but the last record is " + state[0]));
                } else if (headSeq == state[0] && prev[0] != null
                        && !MessageDigest.isEqual((byte[]) head.get("head_hash"), prev[0])) {
                    findings.add(new Finding(headSeq, "CHAIN_BREAK", "chain head hash differs from the last record"));
                }
            }
            return new Result(state[1], fromSeq, state[2], findings);
        });
    }
}
