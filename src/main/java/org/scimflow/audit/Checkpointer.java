package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.scimflow.config.ScimflowProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Takes signed checkpoints of the audit chain every N records or T seconds: the RFC 6962 Merkle root
 * of all records so far and the chain head, signed with Ed25519, stored in the database and written to
 * the external checkpoint folder (and relayed to Kafka), where a rewrite of the database cannot reach.
 */
@Component("auditCheckpointer")
public class Checkpointer {

    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);
    private final JdbcTemplate jdbc;
    private final CheckpointStore store;
    private final SigningKeys keys;
    private final ScimflowProperties props;
    private final ObjectMapper mapper;
    private final AuditSequencer sequencer;
    private MerkleTree.CompactRange range;
    /**
     * When the time-based interval last started: the latest stored checkpoint, else this start. (From
     * the epoch, any interval shorter than the time since 1970 made the first timer tick due at once,
     * in the middle of whatever was being written.)
     */
    private Instant lastCheckpoint = Instant.now();
    private volatile boolean closing;
    private String registeredKeyId;

    public Checkpointer(JdbcTemplate jdbc, ObjectMapper mapper, CheckpointStore store, SigningKeys keys,
                        ScimflowProperties props, AuditSequencer sequencer) {
        this.sequencer = sequencer;
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.store = store;
        this.keys = keys;
        this.props = props;
    }

    /** Takes a checkpoint if enough records or time went by; returns it, or null. */
    public synchronized Checkpoint maybeCheckpoint() {
        if (closing) {
            return null;
        }
        long head = jdbc.queryForObject("select seq from audit_chain_head where chain_id = 1", Long.class);
        MerkleTree.CompactRange r = range();
        long pending = head - r.size();
        var cfg = props.getAudit().getCheckpoints();
        boolean due = pending >= cfg.getEveryRecords()
                || (pending > 0 && Instant.now().isAfter(lastCheckpoint.plusSeconds(cfg.getEverySeconds())));
        return due ? checkpoint(head) : null;
    }

    /**
     * Takes a checkpoint at the current chain head, after linking what waits in the audit inbox: it covers
     * every write acknowledged before the call (used by tests and before exports).
     */
    public synchronized Checkpoint checkpointNow() {
        sequencer.drain();
        long head = jdbc.queryForObject("select seq from audit_chain_head where chain_id = 1", Long.class);
        if (head == range().size()) {
            return store.latest().orElse(null);
        }
        return checkpoint(head);
    }

    private Checkpoint checkpoint(long head) {
        // A checkpoint signed further on than this tree (retention signs at purge boundaries) is where to
        // resume: the records before a purge boundary are gone.
        long size = range().size();
        store.withFrontierAtOrBelow(head).filter(w -> w.checkpoint().treeSize() > size)
                .ifPresent(w -> range = verifiedFrontier(w));
        MerkleTree.CompactRange r = range;
        // A backlog (records written while no checkpoint was taken, a store loaded in bulk) is signed every
        // N records, not once at its end: an inclusion proof starts from the frontier of the closest
        // checkpoint before its record (AuditApi.proof), so it reads fewer than about 2N record hashes.
        long step = Math.max(1, props.getAudit().getCheckpoints().getEveryRecords());
        Checkpoint c = null;
        while (r.size() < head && !closing) {
            long upTo = head - r.size() >= 2 * step ? r.size() + step : head;
            Checkpoint signed = appendAndSign(r, upTo);
            if (signed == null) {
                break;
            }
            c = signed;
        }
        if (c == null) {
            return store.at(r.size()).orElse(null);
        }
        lastCheckpoint = Instant.now();
        log.debug("Audit checkpoint at tree size {}", c.treeSize());
        return c;
    }

    /** Appends the records up to {@code upTo} and signs the tree there (unless retention already did). */
    private Checkpoint appendAndSign(MerkleTree.CompactRange r, long upTo) {
        byte[] last = appendRecords(r, upTo);
        if (last == null) {
            return null;
        }
        return store.at(r.size()).orElseGet(() -> signAndStore(r, last));
    }

    /**
     * The signed checkpoint at exactly {@code treeSize}, signed now if there is none yet: the boundary of a
     * purge, where verification resumes after the records before it are gone. The tree is rebuilt from the
     * closest checkpoint below that size (its stored frontier, checked against its signed root) and the
     * records after it, so this works after earlier purges too.
     */
    public synchronized Checkpoint checkpointAt(long treeSize) {
        Optional<Checkpoint> existing = store.at(treeSize);
        if (existing.isPresent()) {
            return existing.get();
        }
        long head = jdbc.queryForObject("select seq from audit_chain_head where chain_id = 1", Long.class);
        if (treeSize < 1 || treeSize > head) {
            throw new IllegalArgumentException("no checkpoint possible at tree size " + treeSize + " (chain head " + head + ")");
        }
        MerkleTree.CompactRange r = store.withFrontierAtOrBelow(treeSize).map(this::verifiedFrontier)
                .orElseGet(MerkleTree.CompactRange::new);
        byte[] last = appendRecords(r, treeSize);
        if (last == null || r.size() != treeSize) {
            throw new IllegalStateException("audit chain does not reach tree size " + treeSize);
        }
        Checkpoint c = signAndStore(r, last);
        log.info("Audit checkpoint signed at past tree size {}", treeSize);
        return c;
    }

    /** The tree stored with a checkpoint, once it matches the checkpoint's signed root. */
    private MerkleTree.CompactRange verifiedFrontier(CheckpointStore.WithFrontier w) {
        return w.verified(keys).orElseThrow(() -> new IllegalStateException("the stored frontier at tree size "
                + w.checkpoint().treeSize() + " does not match its signed checkpoint; not checkpointing"));
    }

    /** Appends the record hashes after {@code r.size()} up to {@code upTo}; returns the last one, or null. */
    private byte[] appendRecords(MerkleTree.CompactRange r, long upTo) {
        long[] expected = {r.size() + 1};
        byte[][] last = {null};
        jdbc.query("select seq, record_hash from audit_event where seq > ? and seq <= ? order by seq", rs -> {
            long seq = rs.getLong(1);
            if (seq != expected[0]) {
                throw new IllegalStateException("audit chain has no record " + expected[0] + "; not checkpointing");
            }
            byte[] h = rs.getBytes(2);
            r.append(h);
            last[0] = h;
            expected[0]++;
        }, r.size(), upTo);
        return last[0];
    }

    private Checkpoint signAndStore(MerkleTree.CompactRange r, byte[] head) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        byte[] root = r.root();
        byte[] payload = Checkpoint.payload(r.size(), root, head, now).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Checkpoint c = new Checkpoint(r.size(), root, head, now, keys.activeKeyId(), keys.sign(payload));
        if (!keys.activeKeyId().equals(registeredKeyId)) {
            store.registerKey(keys.activeKeyId(), keys.publicKeys().get(keys.activeKeyId()).getEncoded());
            registeredKeyId = keys.activeKeyId();
        }
        store.insert(c, r.encode());
        CheckpointStore.writeFile(props.checkpointDir(), c, mapper);
        return c;
    }

    private MerkleTree.CompactRange range() {
        if (range == null) {
            range = store.latestFrontier().map(MerkleTree.CompactRange::decode).orElseGet(MerkleTree.CompactRange::new);
            store.latest().ifPresent(c -> lastCheckpoint = c.createdAt());
            // Republish anything the folder lacks (first run with a new folder, or a failed write), a page
            // at a time: a log signs thousands of checkpoints a day.
            Long after = null;
            for (List<Checkpoint> page = store.page(null, false, 1000); !page.isEmpty();
                 page = store.page(after, false, 1000)) {
                page.forEach(c -> CheckpointStore.writeFile(props.checkpointDir(), c, mapper));
                after = page.get(page.size() - 1).treeSize();
            }
        }
        return range;
    }

    /** No new checkpoints once the application is shutting down (the next start takes them). */
    @org.springframework.context.event.EventListener(org.springframework.context.event.ContextClosedEvent.class)
    public void onClose() {
        closing = true;
    }

    /** Forgets the in-memory tree so the next checkpoint resumes from the database (after a restore). */
    public synchronized void reset() {
        range = null;
    }

    public CheckpointStore store() {
        return store;
    }

}
