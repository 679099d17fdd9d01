package org.scimflow.audit;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Re-computes the audit log from its stored rows and names every record that does not fit.
 *
 * <p>Kinds of finding, each at one sequence number: {@code HASH_MISMATCH} (a record's content no longer
 * matches its hash), {@code MISSING_SEQ} (a number is absent), {@code CHAIN_BREAK} (a link does not point at
 * its predecessor), {@code CHECKPOINT_MISMATCH} (the Merkle root or head at a signed checkpoint differs —
 * catches a chain rewritten with fresh hashes), {@code BAD_SIGNATURE} (a checkpoint's signature does not
 * verify with any known public key), {@code TRUNCATED} (a checkpoint covers records the log no longer has).
 */
public class AuditVerifier {

    /** One problem found, at one sequence number. */
    public record Finding(long seq, String kind, String detail) { }

    /** The outcome of a verification run. */
    public record Result(Instant checkedAt, long checked, long firstSeq, long lastSeq, int checkpointsChecked,
                         List<Finding> findings) {
        public boolean intact() {
            return findings.isEmpty();
        }

        public String status() {
            return intact() ? "intact" : "tampered";
        }
    }

    /** What to check: a seq range and external checkpoints (a folder's or Kafka's copy), if any. */
    public record Options(long fromSeq, long toSeq, List<Checkpoint> external, String externalSource) {
        public static Options all() {
            return new Options(1, Long.MAX_VALUE, List.of(), null);
        }
    }

    private static final int MAX_FINDINGS = 1000;
    private static final int BATCH = 2048;
    private final JdbcTemplate jdbc;
    private final SigningKeys keys;
    private final CheckpointStore checkpointStore;
    private final TransactionTemplate tx;

    public AuditVerifier(DataSource dataSource, SigningKeys keys) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.jdbc.setFetchSize(5000);
        this.checkpointStore = new CheckpointStore(jdbc, new com.fasterxml.jackson.databind.ObjectMapper());
        this.keys = keys;
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.tx.setReadOnly(true);
    }

    public Result verify() {
        return verify(Options.all());
    }

    public Result verify(Options o) {
        return tx.execute(status -> run(o));
    }

    private Result run(Options o) {
        List<Finding> findings = new ArrayList<>();
        boolean whole = o.fromSeq() <= 1;
        // Every checkpoint, from the database and from outside it, keyed by tree size.
        TreeMap<Long, List<Labelled>> checkpoints = new TreeMap<>();
        int[] checkpointCount = {0};
        if (whole) {
            List<Checkpoint> db = checkpointStore.all();
            db.forEach(c -> checkpoints.computeIfAbsent(c.treeSize(), k -> new ArrayList<>()).add(new Labelled(c, "database")));
            o.external().forEach(c -> checkpoints.computeIfAbsent(c.treeSize(), k -> new ArrayList<>())
                    .add(new Labelled(c, o.externalSource() == null ? "external" : o.externalSource())));
            var publicKeys = keys.publicKeys(); // read once, not once per checkpoint
            for (List<Labelled> list : checkpoints.values()) {
                for (Labelled l : list) {
                    checkpointCount[0]++;
                    if (!l.c().verifies(publicKeys)) {
                        add(findings, new Finding(l.c().treeSize(), "BAD_SIGNATURE", l.source() + " checkpoint at size "
                                + l.c().treeSize() + " is not signed by a known key (" + l.c().keyId() + ")"));
                    }
                }
            }
        }
        MerkleTree.CompactRange range = new MerkleTree.CompactRange();
        long[] st = {o.fromSeq() - 1, 0, 0};
        byte[][] prev = {null};
        if (o.fromSeq() > 1) {
            List<byte[]> before = jdbc.query("select record_hash from audit_event where seq = ?", (rs, i) -> rs.getBytes(1),
                    o.fromSeq() - 1);
            prev[0] = before.isEmpty() ? null : before.get(0);
        } else {
            prev[0] = new byte[32];
        }
        scan(o.fromSeq(), o.toSeq(), r -> {
            long seq = r.seq;
            for (long missing = st[0] + 1; missing < seq; missing++) {
                add(findings, new Finding(missing, "MISSING_SEQ", "no record with this sequence number"));
                if (whole) {
                    range.append(new byte[32]);
                }
            }
            if (prev[0] != null && !MessageDigest.isEqual(prev[0], r.prevHash)) {
                add(findings, new Finding(seq, "CHAIN_BREAK", "prev_hash does not match the record before it"));
            }
            if (!MessageDigest.isEqual(r.expectedHash, r.recordHash)) {
                add(findings, new Finding(seq, "HASH_MISMATCH", "record content does not match its hash"));
            }
            if (whole) {
                range.appendLeafHash(r.leafHash);
                checkAt(checkpoints.get(range.size()), range, r.recordHash, findings);
            }
            prev[0] = r.recordHash;
            st[0] = seq;
            st[1]++;
            st[2] = seq;
        });
        if (whole && o.toSeq() == Long.MAX_VALUE) {
            for (var entry : checkpoints.tailMap(st[0], false).entrySet()) {
                for (Labelled l : entry.getValue()) {
                    add(findings, new Finding(st[0] + 1, "TRUNCATED", l.source() + " checkpoint covers "
                            + entry.getKey() + " records but the log ends at seq " + st[0]));
                }
            }
            var head = jdbc.queryForMap("select seq, head_hash from audit_chain_head where chain_id = 1");
            long headSeq = ((Number) head.get("seq")).longValue();
            if (headSeq > st[0]) {
                add(findings, new Finding(st[0] + 1, "TRUNCATED",
                        "chain head is at seq " + headSeq + " but the last record is " + st[0]));
            } else if (headSeq == st[0] && st[0] > 0 && !MessageDigest.isEqual((byte[]) head.get("head_hash"), prev[0])) {
                add(findings, new Finding(headSeq, "CHAIN_BREAK", "chain head hash differs from the last record"));
            }
        }
        findings.sort(Comparator.comparingLong(Finding::seq));
        return new Result(Instant.now(), st[1], o.fromSeq(), st[2], checkpointCount[0], List.copyOf(findings));
    }

    /**
     * Streams the rows in seq order with {@code COPY … TO STDOUT} (much cheaper for the server than a
     * cursor), recomputes each record's hashes on worker threads, and hands the records to {@code sink}
     * in order. Hashing uses the stored prev_hash, so it needs nothing from the record before.
     */
    private void scan(long from, long to, java.util.function.Consumer<RawRecord> sink) {
        jdbc.execute((org.springframework.jdbc.core.ConnectionCallback<Void>) c -> {
            try (var st = c.createStatement()) {
                st.execute("set local timezone = 'UTC'");
                st.execute("set local datestyle = 'ISO, YMD'");
            }
            var copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyOut("copy (select "
                    + RawRecord.COLUMNS + " from audit_event where seq >= " + from + " and seq <= " + to
                    + " order by seq) to stdout");
            FastCanonical canonical = new FastCanonical(new com.fasterxml.jackson.databind.ObjectMapper());
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
            var workers = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "audit-verify");
                t.setDaemon(true);
                return t;
            });
            java.util.ArrayDeque<java.util.concurrent.Future<List<RawRecord>>> pending = new java.util.ArrayDeque<>();
            try {
                boolean done = false;
                while (true) {
                    List<byte[]> lines = new ArrayList<>(BATCH);
                    while (!done && lines.size() < BATCH) {
                        byte[] line = copy.readFromCopy();
                        if (line == null) {
                            done = true;
                        } else {
                            lines.add(line);
                        }
                    }
                    if (!lines.isEmpty()) {
                        pending.add(workers.submit(() -> hash(lines, canonical)));
                    }
                    while (!pending.isEmpty() && (lines.isEmpty() || pending.size() > 2 * threads)) {
                        pending.poll().get().forEach(sink);
                    }
                    if (lines.isEmpty()) {
                        return null;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("verification failed", e.getCause());
            } finally {
                workers.shutdownNow();
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        });
    }

    private static List<RawRecord> hash(List<byte[]> lines, FastCanonical canonical) {
        List<RawRecord> out = new ArrayList<>(lines.size());
        for (byte[] l : lines) {
            RawRecord r = new RawRecord(RawRecord.split(l));
            r.expectedHash = AuditRecordCodec.chainHash(r.prevHash, r.seq,
                    AuditRecordCodec.sha256(canonical.content(r.f)));
            r.leafHash = MerkleTree.leafHash(r.recordHash);
            out.add(r);
        }
        return out;
    }

    private void checkAt(List<Labelled> at, MerkleTree.CompactRange range, byte[] head, List<Finding> findings) {
        if (at == null) {
            return;
        }
        byte[] root = range.root();
        for (Labelled l : at) {
            if (!MessageDigest.isEqual(root, l.c().rootHash()) || !MessageDigest.isEqual(head, l.c().headHash())) {
                add(findings, new Finding(range.size(), "CHECKPOINT_MISMATCH", l.source() + " checkpoint at size "
                        + range.size() + " does not match the records (Merkle root or chain head differs)"));
            }
        }
    }

    private static void add(List<Finding> findings, Finding f) {
        if (findings.size() < MAX_FINDINGS) {
            findings.add(f);
        }
    }

    private record Labelled(Checkpoint c, String source) { }
}
