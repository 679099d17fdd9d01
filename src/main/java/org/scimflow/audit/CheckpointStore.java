package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** Checkpoints in the database and in the external folder the database cannot change. */
@Repository
public class CheckpointStore {

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final RowMapper<Checkpoint> rows = (rs, i) -> new Checkpoint(rs.getLong("tree_size"),
            rs.getBytes("root_hash"), rs.getBytes("head_hash"),
            rs.getObject("created_at", OffsetDateTime.class).toInstant(), rs.getString("key_id"),
            rs.getBytes("signature"));

    public CheckpointStore(JdbcTemplate jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    public List<Checkpoint> all() {
        return jdbc.query("select * from audit_checkpoint order by tree_size", rows);
    }

    /**
     * One page of checkpoints by tree size, after {@code after} (exclusive; before it when descending), at
     * most {@code limit + 1} so the caller can tell whether there is a next page.
     */
    public List<Checkpoint> page(Long after, boolean descending, int limit) {
        String order = descending ? "desc" : "asc";
        if (after == null) {
            return jdbc.query("select * from audit_checkpoint order by tree_size " + order + " limit ?", rows, limit + 1);
        }
        return jdbc.query("select * from audit_checkpoint where tree_size " + (descending ? "<" : ">")
                + " ? order by tree_size " + order + " limit ?", rows, after, limit + 1);
    }

    public Optional<Checkpoint> latest() {
        return jdbc.query("select * from audit_checkpoint order by tree_size desc limit 1", rows).stream().findFirst();
    }

    /** The covering checkpoint for a record: the smallest tree that includes {@code seq}. */
    public Optional<Checkpoint> covering(long seq) {
        return jdbc.query("select * from audit_checkpoint where tree_size >= ? order by tree_size limit 1", rows, seq)
                .stream().findFirst();
    }

    /** The checkpoint at exactly {@code treeSize}, if one was signed. */
    public Optional<Checkpoint> at(long treeSize) {
        return jdbc.query("select * from audit_checkpoint where tree_size = ?", rows, treeSize).stream().findFirst();
    }

    /** A checkpoint with the tree's right edge stored next to it (not signed: check it against the root). */
    public record WithFrontier(Checkpoint checkpoint, String frontier) {

        /**
         * The stored tree, if it reproduces the checkpoint's signed root and the signature verifies: the
         * frontier itself is not signed, so it is trusted only through the root it produces.
         */
        public Optional<MerkleTree.CompactRange> verified(SigningKeys keys) {
            MerkleTree.CompactRange r;
            try {
                r = MerkleTree.CompactRange.decode(frontier);
            } catch (RuntimeException unreadable) {
                return Optional.empty();
            }
            boolean matches = r.size() == checkpoint.treeSize()
                    && java.security.MessageDigest.isEqual(r.root(), checkpoint.rootHash()) && checkpoint.verifies(keys);
            return matches ? Optional.of(r) : Optional.empty();
        }
    }

    /** The stored frontier at exactly {@code treeSize}. */
    public Optional<WithFrontier> withFrontierAt(long treeSize) {
        return jdbc.query("select * from audit_checkpoint where tree_size = ?",
                (rs, i) -> new WithFrontier(rows.mapRow(rs, i), rs.getString("frontier")), treeSize).stream().findFirst();
    }

    /** The largest checkpoint at or below {@code treeSize}, with its frontier. */
    public Optional<WithFrontier> withFrontierAtOrBelow(long treeSize) {
        return jdbc.query("select * from audit_checkpoint where tree_size <= ? order by tree_size desc limit 1",
                (rs, i) -> new WithFrontier(rows.mapRow(rs, i), rs.getString("frontier")), treeSize).stream().findFirst();
    }

    /** A checkpoint and its place in the order checkpoints are relayed to Kafka. */
    public record Relayed(long relaySeq, Checkpoint checkpoint) { }

    /**
     * Checkpoints after relay position {@code position}, in the order they were signed: {@code relay_seq},
     * which is the tree size except for checkpoints signed at a past size, and for checkpoints stored
     * before it existed (see migration V5).
     */
    public List<Relayed> relayAfter(long position, int limit) {
        return jdbc.query("select *, coalesce(relay_seq, tree_size) as relay_order from audit_checkpoint "
                        + "where coalesce(relay_seq, tree_size) > ? order by coalesce(relay_seq, tree_size) limit ?",
                (rs, i) -> new Relayed(rs.getLong("relay_order"), rows.mapRow(rs, i)), position, limit);
    }

    public Optional<String> latestFrontier() {
        return jdbc.queryForList("select frontier from audit_checkpoint order by tree_size desc limit 1", String.class)
                .stream().findFirst();
    }

    /**
     * Stores a checkpoint. Its place in the Kafka relay's order ({@code relay_seq}) is its tree size, or, for
     * one signed at a past size (retention), right after every checkpoint stored before it.
     */
    public void insert(Checkpoint c, String frontier) {
        jdbc.update("insert into audit_checkpoint (tree_size, root_hash, head_hash, created_at, key_id, signature, "
                        + "payload, frontier, relay_seq) values (?, ?, ?, ?, ?, ?, ?, ?, greatest(?, "
                        + "(select coalesce(max(relay_seq), 0) + 1 from audit_checkpoint), "
                        + "(select coalesce(max(tree_size), 0) + 1 from audit_checkpoint)))",
                c.treeSize(), c.rootHash(), c.headHash(), Timestamp.from(c.createdAt()), c.keyId(), c.signature(),
                c.payload(), frontier, c.treeSize());
    }

    public void registerKey(String keyId, byte[] publicKey) {
        jdbc.update("insert into audit_signing_key (key_id, algorithm, public_key, created_at) values (?, ?, ?, now()) "
                + "on conflict (key_id) do nothing", keyId, SigningKeys.ALGORITHM, publicKey);
    }

    /** Writes {@code <treeSize>.json} once; an existing file is never overwritten. */
    public static void writeFile(Path dir, Checkpoint c, ObjectMapper mapper) {
        try {
            Files.createDirectories(dir);
            Path f = dir.resolve(String.format("%015d.json", c.treeSize()));
            Files.write(f, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(c.toJson(mapper)),
                    StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
            // Already published: checkpoints are immutable.
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish checkpoint " + c.treeSize() + " to " + dir, e);
        }
    }

    /**
     * The checkpoint files in {@code dir}, each read when the iteration reaches it (in no set order), so a
     * verification keeps in memory only the copies that differ from the database's (AuditVerifier shares
     * identical ones). An unreadable file fails the iteration.
     */
    public static Iterable<Checkpoint> files(Path dir, ObjectMapper mapper) {
        return () -> {
            if (!Files.isDirectory(dir)) {
                return java.util.Collections.emptyIterator();
            }
            Stream<Path> listing;
            try {
                listing = Files.list(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list checkpoints in " + dir, e);
            }
            java.util.Iterator<Path> paths = listing.filter(p -> p.getFileName().toString().endsWith(".json")).iterator();
            return new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    boolean more = paths.hasNext();
                    if (!more) {
                        listing.close();
                    }
                    return more;
                }

                @Override
                public Checkpoint next() {
                    Path f = paths.next();
                    try {
                        return Checkpoint.fromJson(mapper.readTree(f.toFile()));
                    } catch (IOException | RuntimeException e) {
                        listing.close();
                        throw new UncheckedIOException("cannot read checkpoint " + f, e instanceof IOException io
                                ? io : new IOException(e.getMessage(), e));
                    }
                }
            };
        };
    }

    /** Every checkpoint file in {@code dir}, by tree size. */
    public static List<Checkpoint> readFiles(Path dir, ObjectMapper mapper) throws IOException {
        List<Checkpoint> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                out.add(Checkpoint.fromJson(mapper.readTree(f.toFile())));
            }
        }
        out.sort((a, b) -> Long.compare(a.treeSize(), b.treeSize()));
        return out;
    }
}
