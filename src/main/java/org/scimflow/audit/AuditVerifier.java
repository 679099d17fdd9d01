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
 *
 * <p>After retention purged the oldest months, the log starts right after the last purge boundary: the
 * first kept record must link to the boundary hash, the boundary must be a signed checkpoint, and the
 * Merkle tree resumes from the frontier stored with it once that frontier reproduces the signed root.
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
    /** {@code external}: the outside copies of the checkpoints, iterated once per verification. */
    public record Options(long fromSeq, long toSeq, Iterable<Checkpoint> external, String externalSource) {
        public static Options all() {
            return new Options(1, Long.MAX_VALUE, List.of(), null);
        }
    }

    private static final int MAX_FINDINGS = 1000;
    private static final int BATCH = 2048;
    private final int batch;
    private final JdbcTemplate jdbc;
    private final SigningKeys keys;
    private final CheckpointStore checkpointStore;
    private final TransactionTemplate tx;

    public AuditVerifier(DataSource dataSource, SigningKeys keys) {
        this(dataSource, keys, BATCH);
    }

    /** With {@code batch} records per worker task: tests use tiny batches to put every check on a batch edge. */
    AuditVerifier(DataSource dataSource, SigningKeys keys, int batch) {
        this.batch = batch;
        this.jdbc = new JdbcTemplate(dataSource);
        this.jdbc.setFetchSize(5000);
        this.checkpointStore = new CheckpointStore(jdbc, new com.fasterxml.jackson.databind.ObjectMapper());
        this.keys = keys;
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.tx.setReadOnly(true);
        // One snapshot for every statement of a run: the records, the checkpoints and the chain head read
        // after them are one state of the log, even while records are appended (under READ COMMITTED a
        // record committed during the scan made the head look ahead of the last record: TRUNCATED).
        this.tx.setIsolationLevel(org.springframework.transaction.TransactionDefinition.ISOLATION_REPEATABLE_READ);
    }

    public Result verify() {
        return verify(Options.all());
    }

    public Result verify(Options o) {
        return tx.execute(status -> run(o));
    }

    /** One row of {@code audit_purge} that removed records. */
    record Purge(String partition, long firstSeq, long lastSeq, byte[] boundaryHash, Instant rangeTo, Instant purgedAt) { }

    private Result run(Options o) {
        List<Finding> findings = new ArrayList<>();
        // A purge drops a partition under an exclusive lock: holding a share lock from here on means the
        // purges read next and the records scanned later belong to the same state of the log.
        jdbc.execute("lock table audit_event in access share mode");
        // After retention purged a prefix of the log, the kept log starts right after the last purge's
        // boundary; the records before it are in the archives, not here.
        List<Purge> purges = purges();
        long boundary = purges.isEmpty() ? 0 : purges.get(purges.size() - 1).lastSeq();
        byte[] boundaryHash = purges.isEmpty() ? null : purges.get(purges.size() - 1).boundaryHash();
        long from = Math.max(o.fromSeq(), boundary + 1);
        boolean whole = o.fromSeq() <= boundary + 1;
        // Every checkpoint, from the database and from outside it, keyed by tree size.
        TreeMap<Long, List<Labelled>> checkpoints = new TreeMap<>();
        List<Labelled> all = new ArrayList<>();
        boolean merkle = whole;
        MerkleTree.CompactRange range = new MerkleTree.CompactRange();
        if (whole) {
            List<Checkpoint> db = checkpointStore.all();
            db.forEach(c -> checkpoints.computeIfAbsent(c.treeSize(), k -> new ArrayList<>()).add(new Labelled(c, "database")));
            String externalSource = o.externalSource() == null ? "external" : o.externalSource();
            o.external().forEach(c -> {
                List<Labelled> at = checkpoints.computeIfAbsent(c.treeSize(), k -> new ArrayList<>());
                // An outside copy identical to the database's shares its object: a log with many checkpoints
                // then holds one of each in memory, and each signature is checked once.
                Checkpoint same = at.stream().map(Labelled::c).filter(c::sameAs).findFirst().orElse(c);
                at.add(new Labelled(same, externalSource));
            });
            checkpoints.values().forEach(all::addAll);
        }
        java.util.concurrent.FutureTask<List<Finding>> signatures = signatures(all);
        if (whole && boundary > 0) {
            checkPurges(purges, checkpoints, findings);
            range = resumeAt(boundary, checkpoints, findings);
            merkle = range != null;
        }
        byte[] prev;
        if (from - 1 == boundary && boundary > 0) {
            prev = boundaryHash;
        } else if (from > 1) {
            List<byte[]> before = jdbc.query("select record_hash from audit_event where seq = ?", (rs, i) -> rs.getBytes(1),
                    from - 1);
            prev = before.isEmpty() ? null : before.get(0);
        } else {
            prev = new byte[32];
        }
        Chain chain = new Chain(boundary, merkle ? range : null, checkpoints, findings, from - 1, prev);
        scan(from, o.toSeq(), chain::accept);
        if (whole && o.toSeq() == Long.MAX_VALUE) {
            for (var entry : checkpoints.tailMap(chain.last, false).entrySet()) {
                for (Labelled l : entry.getValue()) {
                    add(findings, new Finding(chain.last + 1, "TRUNCATED", l.source() + " checkpoint covers "
                            + entry.getKey() + " records but the log ends at seq " + chain.last));
                }
            }
            var head = jdbc.queryForMap("select seq, head_hash from audit_chain_head where chain_id = 1");
            long headSeq = ((Number) head.get("seq")).longValue();
            if (headSeq > chain.last) {
                add(findings, new Finding(chain.last + 1, "TRUNCATED",
                        "chain head is at seq " + headSeq + " but the last record is " + chain.last));
            } else if (headSeq == chain.last && chain.last > 0 && !MessageDigest.isEqual((byte[]) head.get("head_hash"), chain.prev)) {
                add(findings, new Finding(headSeq, "CHAIN_BREAK", "chain head hash differs from the last record"));
            }
            if (boundary > 0) {
                checkPurgeEvents(purges, findings);
            }
        }
        // The signature findings come first, as if they had been found before the records were read.
        List<Finding> found = new ArrayList<>(join(signatures));
        findings.forEach(f -> add(found, f));
        found.sort(Comparator.comparingLong(Finding::seq));
        return new Result(Instant.now(), chain.count, from, chain.count == 0 ? 0 : chain.last, all.size(),
                List.copyOf(found));
    }

    /**
     * Checks every checkpoint's signature for {@code BAD_SIGNATURE} findings, on a thread of its own that
     * runs while the records are read (a thousand checkpoints per million records take a noticeable time).
     */
    private java.util.concurrent.FutureTask<List<Finding>> signatures(List<Labelled> checkpoints) {
        var publicKeys = keys.publicKeys(); // read once, not once per checkpoint
        var task = new java.util.concurrent.FutureTask<List<Finding>>(() -> {
            List<Finding> out = new ArrayList<>();
            java.util.Map<Checkpoint, Boolean> checked = new java.util.IdentityHashMap<>();
            for (Labelled l : checkpoints) {
                if (!checked.computeIfAbsent(l.c(), c -> c.verifies(publicKeys))) {
                    add(out, new Finding(l.c().treeSize(), "BAD_SIGNATURE", l.source() + " checkpoint at size "
                            + l.c().treeSize() + " is not signed by a known key (" + l.c().keyId() + ")"));
                }
            }
            return out;
        });
        if (checkpoints.isEmpty()) {
            task.run();
        } else {
            Thread t = new Thread(task, "audit-verify-signatures");
            t.setDaemon(true);
            t.start();
        }
        return task;
    }

    private static <T> T join(java.util.concurrent.Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("verification failed", e.getCause());
        }
    }

    private List<Purge> purges() {
        return jdbc.query("select partition_name, first_seq, last_seq, boundary_hash, range_to, purged_at from audit_purge "
                        + "where row_count > 0 order by last_seq",
                (rs, i) -> new Purge(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getBytes(4),
                        rs.getObject(5, java.time.OffsetDateTime.class).toInstant(),
                        rs.getObject(6, java.time.OffsetDateTime.class).toInstant()));
    }

    /**
     * Purges cut consecutive prefixes of the chain, and each one ends at a signed checkpoint whose head is
     * the purge's boundary hash: a purge row forged over deleted records has no such checkpoint, unless
     * its boundary falls exactly on one.
     */
    private static void checkPurges(List<Purge> purges, TreeMap<Long, List<Labelled>> checkpoints, List<Finding> findings) {
        long expected = 1;
        for (Purge p : purges) {
            if (p.firstSeq() != expected) {
                add(findings, new Finding(expected, "MISSING_SEQ", "purges are not consecutive: " + p.partition()
                        + " removed seq " + p.firstSeq() + ".." + p.lastSeq() + " but the previous purge ended at "
                        + (expected - 1)));
            }
            expected = p.lastSeq() + 1;
            List<Labelled> at = checkpoints.get(p.lastSeq());
            if (at == null) {
                add(findings, new Finding(p.lastSeq(), "TRUNCATED", "seq " + p.firstSeq() + ".." + p.lastSeq()
                        + " were purged (" + p.partition() + ") but no signed checkpoint at tree size " + p.lastSeq()
                        + " exists"));
                continue;
            }
            for (Labelled l : at) {
                if (!MessageDigest.isEqual(l.c().headHash(), p.boundaryHash())) {
                    add(findings, new Finding(p.lastSeq(), "CHECKPOINT_MISMATCH", l.source() + " checkpoint at size "
                            + p.lastSeq() + " does not have the purge boundary hash as its head"));
                }
            }
        }
    }

    /**
     * The Merkle tree at the last purge boundary, from the frontier stored with the database checkpoint
     * there. The frontier is not signed: it is used only if its root is the signed root. Null (with a
     * finding) when the tree cannot be resumed; later checkpoints are then checked by signature only.
     */
    private MerkleTree.CompactRange resumeAt(long boundary, TreeMap<Long, List<Labelled>> checkpoints,
                                             List<Finding> findings) {
        if (checkpoints.get(boundary) == null) {
            return null; // reported by checkPurges
        }
        var stored = checkpointStore.withFrontierAt(boundary);
        if (stored.isEmpty()) {
            add(findings, new Finding(boundary, "TRUNCATED", "the database has no checkpoint at the purge boundary "
                    + boundary + ", so the Merkle tree cannot be resumed there"));
            return null;
        }
        MerkleTree.CompactRange r;
        try {
            r = MerkleTree.CompactRange.decode(stored.get().frontier());
        } catch (RuntimeException e) {
            r = null;
        }
        if (r == null || r.size() != boundary) {
            add(findings, new Finding(boundary, "CHECKPOINT_MISMATCH", "the frontier stored at the purge boundary "
                    + boundary + " is unreadable"));
            return null;
        }
        byte[] root = r.root();
        boolean signedRoot = true;
        for (Labelled l : checkpoints.get(boundary)) {
            if (!MessageDigest.isEqual(root, l.c().rootHash())) {
                add(findings, new Finding(boundary, "CHECKPOINT_MISMATCH", "the frontier stored at the purge boundary "
                        + boundary + " does not produce the " + l.source() + " checkpoint's signed root"));
                signedRoot = false;
            }
        }
        return signedRoot ? r : null;
    }

    /**
     * Every purge is recorded in the chain as an {@code audit.purge} event, in the same transaction. Purges
     * whose event may itself have been purged since (it was written before the end of the last purged
     * month) are not checked.
     */
    private void checkPurgeEvents(List<Purge> purges, List<Finding> findings) {
        Instant keptFrom = purges.get(purges.size() - 1).rangeTo();
        java.util.Set<String> recorded = new java.util.HashSet<>(jdbc.queryForList(
                "select subject_id from audit_event where action = 'audit.purge' and outcome = 'success' "
                        + "and subject_type = 'AuditPartition'", String.class));
        for (Purge p : purges) {
            if (!p.purgedAt().isBefore(keptFrom) && !recorded.contains(p.partition())) {
                add(findings, new Finding(p.firstSeq(), "TRUNCATED", "seq " + p.firstSeq() + ".." + p.lastSeq()
                        + " were purged (" + p.partition() + ") but the log has no audit.purge event for it"));
            }
        }
    }

    /**
     * The checks that need the records in order, fed one checked batch after another: gaps, links
     * between batches, the Merkle tree and the checkpoints.
     */
    private final class Chain {
        private final long boundary;
        /** Null when the Merkle tree is not checked. */
        private final MerkleTree.CompactRange tree;
        private final TreeMap<Long, List<Labelled>> checkpoints;
        private final List<Finding> findings;
        /** The tree size at or after which the next checkpoint may lie. */
        private long nextCheckpoint = Long.MIN_VALUE;
        /** The last seq seen (or the one before the first to check), and how many records were seen. */
        long last;
        long count;
        /** The record hash the next record must link to; null when unknown. */
        byte[] prev;

        Chain(long boundary, MerkleTree.CompactRange tree, TreeMap<Long, List<Labelled>> checkpoints,
              List<Finding> findings, long last, byte[] prev) {
            this.boundary = boundary;
            this.tree = tree;
            this.checkpoints = checkpoints;
            this.findings = findings;
            this.last = last;
            this.prev = prev;
        }

        void accept(Batch b) {
            for (int i = 0; i < b.n; i++) {
                record(b, i);
            }
            if (b.n > 0) {
                prev = b.recordHash(b.n - 1);
            }
        }

        private void record(Batch b, int i) {
            long seq = b.seq[i];
            for (long missing = last + 1; missing < seq; missing++) {
                add(findings, new Finding(missing, "MISSING_SEQ", missing == boundary + 1
                        ? "no record with this sequence number, the first after the purge boundary " + boundary
                        : "no record with this sequence number"));
                if (tree != null) {
                    tree.append(new byte[32]);
                }
            }
            // Within a batch the worker compared each prev_hash with the record before; the first record of
            // a batch links to the last one of the batch before.
            boolean linked = i > 0 ? b.linked[i] : prev == null || java.util.Arrays.equals(prev, 0, prev.length,
                    b.row[i], b.prevAt[i], b.prevAt[i] + b.prevLen[i]);
            if (!linked) {
                add(findings, new Finding(seq, "CHAIN_BREAK", "prev_hash does not match the record before it"));
            }
            if (!b.hashOk[i]) {
                add(findings, new Finding(seq, "HASH_MISMATCH", "record content does not match its hash"));
            }
            if (tree != null) {
                tree.appendLeafHash(java.util.Arrays.copyOfRange(b.leaf, 32 * i, 32 * i + 32));
                if (tree.size() >= nextCheckpoint) {
                    checkAt(checkpoints.get(tree.size()), tree, b.recordHash(i), findings);
                    Long next = checkpoints.higherKey(tree.size());
                    nextCheckpoint = next == null ? Long.MAX_VALUE : next;
                }
            }
            last = seq;
            count++;
        }
    }

    /**
     * Rows of binary COPY and what a worker found in them, read in order by {@link Chain}: per record
     * its seq, whether its content matches its hash, whether it links to the record before it in the
     * batch, its Merkle leaf hash, and where its hashes lie in its row.
     */
    private static final class Batch {
        int n;
        final byte[][] row;
        final long[] seq;
        final boolean[] hashOk;
        final boolean[] linked;
        /** Merkle leaf hashes, 32 bytes each. */
        final byte[] leaf;
        final int[] prevAt;
        final int[] prevLen;
        final int[] recordAt;
        final int[] recordLen;

        Batch(int rows) {
            row = new byte[rows][];
            seq = new long[rows];
            hashOk = new boolean[rows];
            linked = new boolean[rows];
            leaf = new byte[32 * rows];
            prevAt = new int[rows];
            prevLen = new int[rows];
            recordAt = new int[rows];
            recordLen = new int[rows];
        }

        byte[] recordHash(int i) {
            return java.util.Arrays.copyOfRange(row[i], recordAt[i], recordAt[i] + recordLen[i]);
        }
    }

    /**
     * Streams the rows in seq order with binary {@code COPY … TO STDOUT} (much cheaper for the server than
     * a cursor or text output), checks each record's hash on worker threads, and hands the batches to
     * {@code sink} in order. Hashing uses the stored prev_hash, so it needs nothing from the record before.
     */
    private void scan(long from, long to, java.util.function.Consumer<Batch> sink) {
        jdbc.execute((org.springframework.jdbc.core.ConnectionCallback<Void>) c -> {
            // Binary COPY: the server sends values as stored instead of formatting each one as text.
            var copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyOut("copy (select "
                    + RawRecord.COLUMNS + " from audit_event where seq >= " + from + " and seq <= " + to
                    + " order by seq) to stdout with (format binary)");
            FastCanonical canonical = new FastCanonical(new com.fasterxml.jackson.databind.ObjectMapper());
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
            var workers = java.util.concurrent.Executors.newFixedThreadPool(threads,
                    ExportVerifier.daemonThreads("audit-verify-"));
            java.util.ArrayDeque<java.util.concurrent.Future<Batch>> pending = new java.util.ArrayDeque<>();
            try {
                boolean done = false;
                while (true) {
                    List<byte[]> rows = new ArrayList<>(batch);
                    while (!done && rows.size() < batch) {
                        byte[] row = copy.readFromCopy();
                        if (row == null) {
                            done = true;
                        } else {
                            rows.add(row);
                        }
                    }
                    if (!rows.isEmpty()) {
                        pending.add(workers.submit(() -> check(rows, canonical)));
                    }
                    while (!pending.isEmpty() && (rows.isEmpty() || pending.size() > 2 * threads)) {
                        sink.accept(pending.poll().get());
                    }
                    if (rows.isEmpty()) {
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

    /**
     * Recomputes each record's link {@code sha256(prev_hash || seq || sha256(canonical content))} from its
     * row bytes and compares it with the stored record_hash, and takes its Merkle leaf hash.
     */
    private static Batch check(List<byte[]> rows, FastCanonical canonical) {
        Batch b = new Batch(rows.size());
        Checker checker = new Checker(canonical);
        for (byte[] m : rows) {
            checker.row(m, b);
        }
        return b;
    }

    /**
     * A worker's state for one batch: the canonical content is written into one reused buffer and hashed
     * with the thread's digest, nothing is allocated per record but the row itself. The work for one record
     * is one method, called once per record, so that it is compiled early in a run.
     */
    private static final class Checker {
        private final FastCanonical canonical;
        private final BinaryRow r = new BinaryRow();
        private final CanonicalJson.Out content = new CanonicalJson.Out(2048);
        private final MessageDigest md = AuditRecordCodec.digest();
        private final byte[] h = new byte[32];

        Checker(FastCanonical canonical) {
            this.canonical = canonical;
        }

        void row(byte[] m, Batch b) {
            if (!r.read(m)) {
                return; // the trailer
            }
            int i = b.n++;
            content.reset();
            canonical.write(r, content);
            int prevAt = r.at[RawRecord.PREV_HASH];
            int prevLen = r.len[RawRecord.PREV_HASH];
            int recordAt = r.at[RawRecord.RECORD_HASH];
            int recordLen = r.len[RawRecord.RECORD_HASH];
            try {
                md.update(content.buf, 0, content.len);
                md.digest(h, 0, 32);
                md.update(m, prevAt, prevLen);
                md.update(m, r.at[RawRecord.SEQ], 8); // int8send(seq): the column as binary COPY sends it
                md.update(h, 0, 32);
                md.digest(h, 0, 32);
                b.hashOk[i] = java.util.Arrays.equals(h, 0, 32, m, recordAt, recordAt + recordLen);
                md.update((byte) 0x00); // MerkleTree.leafHash(record_hash)
                md.update(m, recordAt, recordLen);
                md.digest(b.leaf, 32 * i, 32);
            } catch (java.security.DigestException e) {
                throw new IllegalStateException(e);
            }
            b.linked[i] = i > 0 && java.util.Arrays.equals(m, prevAt, prevAt + prevLen,
                    b.row[i - 1], b.recordAt[i - 1], b.recordAt[i - 1] + b.recordLen[i - 1]);
            b.row[i] = m;
            b.seq[i] = r.seq();
            b.prevAt[i] = prevAt;
            b.prevLen[i] = prevLen;
            b.recordAt[i] = recordAt;
            b.recordLen[i] = recordLen;
        }
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
