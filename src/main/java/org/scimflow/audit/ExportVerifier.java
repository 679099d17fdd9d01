package org.scimflow.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Checks an exported NDJSON file offline — no database, no hub: every record's hash, the links between
 * consecutive records, the file digest and signature in the manifest, the signed checkpoint, and, for a
 * complete export from seq 1, the Merkle root at the checkpoint.
 */
public final class ExportVerifier {

    /** What the check found. */
    public record Result(long records, List<AuditVerifier.Finding> findings, JsonNode manifest) {
        /** Whether the file ends with a signed manifest (without one nothing can be intact). */
        public boolean manifestFound() {
            return manifest != null;
        }

        public boolean intact() {
            return manifestFound() && findings.isEmpty();
        }

        /**
         * What the export holds, as its signed manifest says: intact means these records are unaltered,
         * not that they are the whole log. An export of a filter, or one that starts after a cursor
         * ({@code afterSeq}), is a selection, and the reader must be told so.
         */
        public String scope() {
            if (manifest == null) {
                return "no manifest";
            }
            JsonNode filters = manifest.path("filters");
            return "seq " + manifest.path("firstSeq").asText("-") + ".." + manifest.path("lastSeq").asText("-")
                    + (filters.isObject() && filters.size() > 0
                            ? ", only the records matching " + filters : ", every record in that range");
        }
    }

    /** Bytes read at a time; a line longer than this grows the buffer. */
    private static final int CHUNK = 4 << 20;
    /**
     * No record of this hub comes near it (a SCIM body is at most 1 MiB, a record carries a change's old
     * and new values): a longer line is not an export, and the check stops before the buffer that would
     * hold it runs the verifier out of memory.
     */
    static final int MAX_LINE = 64 << 20;
    /** Findings listed at most; a file made of nothing but bad lines would otherwise fill the memory with them. */
    static final int MAX_FINDINGS = 10_000;
    /** Read buffers between the reader and the file digest: bounds memory when the digest falls behind. */
    private static final int BUFFERS_IN_FLIGHT = 4;

    private final ObjectMapper mapper = new ObjectMapper();
    private final AuditRecordCodec codec = new AuditRecordCodec(mapper);
    private final SigningKeys keys;
    private final int chunk;

    public ExportVerifier(SigningKeys keys) {
        this(keys, CHUNK);
    }

    /** With read buffers of {@code chunk} bytes: tests use small ones to cut lines across buffers. */
    ExportVerifier(SigningKeys keys, int chunk) {
        this.keys = keys;
        this.chunk = chunk;
    }

    static int cli(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 3) {
            err.println("usage: audit verify-export FILE [--keys DIR]");
            return 2;
        }
        Path file = Path.of(args[2]);
        Path keysDir = Path.of(AuditCli.env("SCIMFLOW_DATA_DIR", "./data")).resolve("keys");
        for (int i = 3; i < args.length; i++) {
            if (args[i].equals("--keys") && i + 1 < args.length) {
                keysDir = Path.of(args[++i]);
            } else {
                err.println("unknown option " + args[i]);
                return 2;
            }
        }
        try {
            long t0 = System.nanoTime();
            Result r = new ExportVerifier(SigningKeys.publicOnly(keysDir)).verify(file);
            out.printf("checked %d records in %.2f s: %s%n", r.records(), (System.nanoTime() - t0) / 1e9,
                    r.intact() ? "INTACT" : "TAMPERED");
            out.printf("covers %s%n", r.scope());
            r.findings().forEach(f -> out.printf("seq %d %s %s%n", f.seq(), f.kind(), f.detail()));
            return r.intact() ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            err.println("could not check " + file + ": " + e.getMessage());
            return 2;
        }
    }

    /**
     * Checks an export file. Its manifest is read first (from the end of the file), so that an export that
     * starts after seq 1 (a retention archive) is checked against the signed Merkle roots too.
     */
    public Result verify(Path file) throws IOException {
        ObjectNode manifest = readManifest(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return verify(in, manifest);
        }
    }

    /**
     * Checks an export read once from a stream. An export that does not start at seq 1 gets every check
     * except the Merkle root at its checkpoint, which needs the manifest before the records: use
     * {@link #verify(Path)} for that.
     */
    public Result verify(InputStream in) throws IOException {
        return verify(in, null);
    }

    /**
     * The line's chain fields, content hash and leaf hash if it is in the export layout and its bytes match
     * its record hash; null sends it down the parsing path (an export written before the layout was fixed,
     * a reformatted line, the manifest, or an edit, which the parsing path then reports).
     */
    private static ExportLine hashed(byte[] buf, int from, int to) {
        ExportLine fast = ExportLine.parse(buf, from, to, AuditRecordCodec.digest());
        if (fast != null && !MessageDigest.isEqual(fast.recordHash,
                AuditRecordCodec.chainHash(fast.prevHash, fast.seq, fast.contentHash))) {
            return null;
        }
        return fast;
    }

    /** The lines of one part of a read buffer, each hashed on a worker thread. */
    private record Lines(int[] starts, int[] ends, ExportLine[] parsed, int size) {

        static Lines of(byte[] buf, int from, int to) {
            int capacity = 64;
            int[] starts = new int[capacity];
            int[] ends = new int[capacity];
            ExportLine[] parsed = new ExportLine[capacity];
            int n = 0;
            int start = from;
            for (int i = from; i < to; i++) {
                if (buf[i] != '\n') {
                    continue;
                }
                if (n == capacity) {
                    capacity *= 2;
                    starts = java.util.Arrays.copyOf(starts, capacity);
                    ends = java.util.Arrays.copyOf(ends, capacity);
                    parsed = java.util.Arrays.copyOf(parsed, capacity);
                }
                starts[n] = start;
                ends[n] = i + 1;
                parsed[n] = hashed(buf, start, i + 1);
                n++;
                start = i + 1;
            }
            return new Lines(starts, ends, parsed, n);
        }
    }

    /** A read buffer whose lines are being hashed. */
    private record Pending(byte[] buf, List<Future<Lines>> parts) { }

    /**
     * Reads the export once. Three stages overlap: worker threads split each read buffer into lines and
     * hash every line's content (independent of the others); this thread then goes through the lines in
     * order for the chain links and the Merkle tree; one more thread digests the record bytes for the
     * manifest's file hash, which has to see them in order.
     */
    private Result verify(InputStream in, ObjectNode knownManifest) throws IOException {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService workers = Executors.newFixedThreadPool(cores, daemonThreads("scimflow-export-verify-"));
        ExecutorService digester = Executors.newSingleThreadExecutor(daemonThreads("scimflow-export-digest-"));
        try {
            Scan scan = new Scan(knownManifest, digester);
            Semaphore buffers = new Semaphore(BUFFERS_IN_FLIGHT);
            byte[] carry = new byte[0];
            Pending previous = null;
            boolean eof = false;
            while (!eof) {
                buffers.acquire();
                byte[] buf = new byte[Math.max(chunk, carry.length * 2)];
                System.arraycopy(carry, 0, buf, 0, carry.length);
                int filled = carry.length;
                while (filled < buf.length) {
                    int r = in.read(buf, filled, buf.length - filled);
                    if (r < 0) {
                        eof = true;
                        break;
                    }
                    filled += r;
                }
                int complete = filled;
                while (complete > 0 && buf[complete - 1] != '\n') {
                    complete--;
                }
                carry = java.util.Arrays.copyOfRange(buf, complete, filled);
                if (complete == 0) {
                    if (carry.length > MAX_LINE) {
                        throw new IOException("a line longer than " + (MAX_LINE >> 20) + " MiB: not an export of this hub");
                    }
                    // No line ends in this buffer: the next one is twice the size.
                    buffers.release();
                    continue;
                }
                Pending pending = new Pending(buf, split(buf, complete, cores, workers));
                if (previous != null) {
                    scan.lines(previous);
                    // The buffer is free once the digest has read it.
                    digester.execute(buffers::release);
                }
                previous = pending;
            }
            if (previous != null) {
                scan.lines(previous);
            }
            return scan.finish(carry.length > 0, digester.submit(() -> scan.digest.digest()).get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("export verification interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            workers.shutdownNow();
            digester.shutdownNow();
        }
    }

    /** The buffer's complete lines in {@code parts} pieces, cut at line ends, each hashed by a worker. */
    private static List<Future<Lines>> split(byte[] buf, int complete, int parts, ExecutorService workers) {
        List<Future<Lines>> out = new ArrayList<>(parts);
        int from = 0;
        for (int p = 1; p <= parts && from < complete; p++) {
            int to = p == parts ? complete : (int) ((long) complete * p / parts);
            while (to < complete && buf[to - 1] != '\n') {
                to++;
            }
            if (to <= from) {
                continue;
            }
            int f = from;
            int t = to;
            out.add(workers.submit(() -> Lines.of(buf, f, t)));
            from = to;
        }
        return out;
    }

    /** Threads that never keep the JVM (the command line) alive. */
    static CustomizableThreadFactory daemonThreads(String prefix) {
        CustomizableThreadFactory f = new CustomizableThreadFactory(prefix);
        f.setDaemon(true);
        return f;
    }

    /** The in-order part of a check: chain links, Merkle tree, manifest, and the runs of bytes to digest. */
    private final class Scan {
        final List<AuditVerifier.Finding> findings = new CappedFindings();
        final MessageDigest digest = sha256();
        private final ExecutorService digester;
        private final ObjectNode knownManifest;
        private final Start from;
        private MerkleTree.CompactRange range = new MerkleTree.CompactRange();
        // Records are contiguous from the start (seq 1, or right after the manifest's start checkpoint), so
        // they extend the Merkle tree from there.
        private boolean contiguousFromOne = true;
        private long expectedSeq = 1;
        private byte[] prevHash;
        private long count;
        private ObjectNode manifest;

        Scan(ObjectNode knownManifest, ExecutorService digester) {
            this.knownManifest = knownManifest;
            this.digester = digester;
            this.from = start(knownManifest, findings);
            if (from != null) {
                range = from.range;
                expectedSeq = from.checkpoint.treeSize() + 1;
                prevHash = from.checkpoint.headHash();
            } else if (knownManifest != null && knownManifest.has("startCheckpoint")) {
                contiguousFromOne = false;
            }
        }

        /** Goes through one buffer's lines in order; record bytes go to the digest in runs. */
        void lines(Pending p) throws InterruptedException, ExecutionException, IOException {
            byte[] buf = p.buf();
            int runFrom = -1;
            int runTo = -1;
            for (Future<Lines> part : p.parts()) {
                Lines lines = part.get();
                for (int i = 0; i < lines.size(); i++) {
                    int s = lines.starts()[i];
                    int e = lines.ends()[i];
                    if (!line(buf, s, e, lines.parsed()[i])) {
                        continue;
                    }
                    if (runTo != s) {
                        digest(buf, runFrom, runTo);
                        runFrom = s;
                    }
                    runTo = e;
                }
            }
            digest(buf, runFrom, runTo);
        }

        private void digest(byte[] buf, int from, int to) {
            if (from >= 0 && to > from) {
                digester.execute(() -> digest.update(buf, from, to - from));
            }
        }

        /** Checks one line; true if it is a record (its bytes belong to the file digest). */
        private boolean line(byte[] buf, int s, int e, ExportLine fast) throws IOException {
            if (manifest != null) {
                findings.add(new AuditVerifier.Finding(expectedSeq, "HASH_MISMATCH", "content after the manifest"));
                return false;
            }
            long seq;
            byte[] linkPrev;
            byte[] linkRecord;
            if (fast != null) {
                // Its bytes already matched its record hash on the worker.
                seq = fast.seq;
                linkPrev = fast.prevHash;
                linkRecord = fast.recordHash;
            } else {
                JsonNode node = mapper.readTree(buf, s, e - s);
                if (node != null && node.has(ExportManifest.KEY)) {
                    manifest = (ObjectNode) node.get(ExportManifest.KEY);
                    return false;
                }
                AuditEvent ev = fromJson(node == null ? mapper.createObjectNode() : node);
                seq = ev.seq();
                linkPrev = ev.prevHash();
                linkRecord = ev.recordHash();
                if (!MessageDigest.isEqual(AuditRecordCodec.chainHash(linkPrev, seq, codec.contentHash(ev)), linkRecord)) {
                    findings.add(new AuditVerifier.Finding(seq, "HASH_MISMATCH", "record content does not match its hash"));
                }
            }
            count++;
            if (seq == expectedSeq && prevHash != null && !MessageDigest.isEqual(prevHash, linkPrev)) {
                findings.add(new AuditVerifier.Finding(seq, "CHAIN_BREAK", "prevHash does not match the record before it"));
            }
            if (seq != expectedSeq) {
                if (from != null && contiguousFromOne) {
                    // An export with a start checkpoint holds every record after it.
                    findings.add(new AuditVerifier.Finding(expectedSeq, "MISSING_SEQ",
                            "the export starts after checkpoint " + from.checkpoint.treeSize() + " but lacks this record"));
                }
                contiguousFromOne = false;
            }
            if (contiguousFromOne) {
                if (fast != null) {
                    range.appendLeafHash(fast.leafHash);
                } else {
                    range.append(linkRecord);
                }
            }
            prevHash = linkRecord;
            expectedSeq = seq + 1;
            return true;
        }

        Result finish(boolean partialLastLine, byte[] fileDigest) {
            if (partialLastLine) {
                findings.add(new AuditVerifier.Finding(expectedSeq, "TRUNCATED", "the file ends in the middle of a line"));
            }
            if (manifest == null) {
                findings.add(new AuditVerifier.Finding(expectedSeq, "TRUNCATED", "no signed manifest at the end of the file"));
                return new Result(count, findings, null);
            }
            if (!ExportManifest.signatureValid(manifest, keys)) {
                findings.add(new AuditVerifier.Finding(0, "BAD_SIGNATURE", "manifest signature does not verify"));
            }
            if (!HexFormat.of().formatHex(fileDigest).equals(manifest.path("sha256").asText())
                    || manifest.path("count").asLong() != count) {
                findings.add(new AuditVerifier.Finding(expectedSeq, "TRUNCATED",
                        "records differ from what the manifest lists (count " + manifest.path("count").asLong() + ")"));
            }
            if (knownManifest != null && !knownManifest.equals(manifest)) {
                findings.add(new AuditVerifier.Finding(expectedSeq, "TRUNCATED", "the manifest changed while reading"));
            }
            JsonNode cp = manifest.get("checkpoint");
            if (cp != null) {
                Checkpoint c = Checkpoint.fromJson(cp);
                if (!c.verifies(keys)) {
                    findings.add(new AuditVerifier.Finding(c.treeSize(), "BAD_SIGNATURE", "checkpoint signature does not verify"));
                } else if (contiguousFromOne && range.size() == c.treeSize()
                        && (!MessageDigest.isEqual(range.root(), c.rootHash())
                            || !MessageDigest.isEqual(prevHash == null ? new byte[32] : prevHash, c.headHash()))) {
                    findings.add(new AuditVerifier.Finding(c.treeSize(), "CHECKPOINT_MISMATCH",
                            "records do not produce the signed Merkle root and chain head"));
                }
            }
            findings.sort(java.util.Comparator.comparingLong(AuditVerifier.Finding::seq));
            return new Result(count, findings, manifest);
        }
    }

    /**
     * Keeps the first {@link #MAX_FINDINGS} findings in seq order of discovery and counts the rest; the
     * last entry then says how many more there were (the file is reported tampered either way).
     */
    private static final class CappedFindings extends ArrayList<AuditVerifier.Finding> {
        private long more;

        @Override
        public boolean add(AuditVerifier.Finding f) {
            if (size() < MAX_FINDINGS) {
                return super.add(f);
            }
            more++;
            if (size() == MAX_FINDINGS) {
                super.add(null);
            }
            set(MAX_FINDINGS, new AuditVerifier.Finding(f.seq(), f.kind(), more + " more finding(s) after these, not listed"));
            return true;
        }
    }

    /** The start of an export after seq 1, once its frontier matched its signed checkpoint. */
    private record Start(Checkpoint checkpoint, MerkleTree.CompactRange range) { }

    private Start start(ObjectNode manifest, List<AuditVerifier.Finding> findings) {
        if (manifest == null || !manifest.has("startCheckpoint")) {
            return null;
        }
        Checkpoint c;
        try {
            c = Checkpoint.fromJson(manifest.get("startCheckpoint"));
        } catch (RuntimeException e) {
            findings.add(new AuditVerifier.Finding(0, "CHECKPOINT_MISMATCH", "unreadable start checkpoint"));
            return null;
        }
        if (!c.verifies(keys)) {
            findings.add(new AuditVerifier.Finding(c.treeSize(), "BAD_SIGNATURE", "start checkpoint signature does not verify"));
            return null;
        }
        MerkleTree.CompactRange r;
        try {
            r = MerkleTree.CompactRange.decode(manifest.path("startFrontier").asText());
        } catch (RuntimeException e) {
            r = null;
        }
        if (r == null || r.size() != c.treeSize() || !MessageDigest.isEqual(r.root(), c.rootHash())) {
            findings.add(new AuditVerifier.Finding(c.treeSize(), "CHECKPOINT_MISMATCH",
                    "the start frontier does not produce the start checkpoint's signed root"));
            return null;
        }
        return new Start(c, r);
    }

    /** The last line of the file, if it is a manifest; null otherwise (the stream check then reports it). */
    static ObjectNode readManifest(Path file) throws IOException {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long size = f.length();
            int n = (int) Math.min(size, 1 << 20);
            byte[] tail = new byte[n];
            f.seek(size - n);
            f.readFully(tail);
            int end = n;
            if (end > 0 && tail[end - 1] == '\n') {
                end--;
            }
            int begin = end;
            while (begin > 0 && tail[begin - 1] != '\n') {
                begin--;
            }
            if (begin == 0 && n < size) {
                return null;
            }
            JsonNode node = new ObjectMapper().readTree(new String(tail, begin, end - begin, StandardCharsets.UTF_8));
            return node != null && node.get(ExportManifest.KEY) instanceof ObjectNode m ? m : null;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            return null;
        }
    }

    /** The inverse of {@link AuditRecordCodec#toJson}. */
    AuditEvent fromJson(JsonNode n) {
        JsonNode actor = n.path("actor");
        JsonNode subject = n.path("subject");
        JsonNode target = n.path("target");
        JsonNode http = n.path("http");
        HexFormat hex = HexFormat.of();
        return AuditEvent.builder()
                .seq(n.path("seq").asLong())
                .schemaVersion(n.path("schemaVersion").asInt())
                .eventId(uuid(n, "eventId"))
                .eventTime(instant(n, "eventTime"))
                .recordedTime(instant(n, "recordedTime"))
                .correlationId(text(n, "correlationId"))
                .parentEventId(uuid(n, "parentEventId"))
                .cycleId(text(n, "cycleId"))
                .channel(text(n, "channel"))
                .action(text(n, "action"))
                .outcome(text(n, "outcome"))
                .actorType(text(actor, "type")).actorId(text(actor, "id")).actorIp(text(actor, "ip"))
                .actorUserAgent(text(actor, "userAgent"))
                .subjectType(text(subject, "type")).subjectId(text(subject, "id")).subjectName(text(subject, "name"))
                .subjectExternalId(text(subject, "externalId"))
                .targetSystem(text(target, "system")).targetId(text(target, "id"))
                .httpMethod(text(http, "method")).httpPath(text(http, "path"))
                .httpStatus(http.has("status") ? http.get("status").asInt() : null)
                .scimType(text(n, "scimType")).error(text(n, "error"))
                .attempt(n.has("attempt") ? n.get("attempt").asInt() : null)
                .durationMs(n.has("durationMs") ? n.get("durationMs").asInt() : null)
                .changes(n.get("changes"))
                .prevHash(hex.parseHex(n.path("prevHash").asText()))
                .recordHash(hex.parseHex(n.path("recordHash").asText()))
                .build();
    }

    private static String text(JsonNode n, String f) {
        JsonNode v = n.get(f);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static java.util.UUID uuid(JsonNode n, String f) {
        String s = text(n, f);
        return s == null ? null : java.util.UUID.fromString(s);
    }

    private static java.time.Instant instant(JsonNode n, String f) {
        String s = text(n, f);
        return s == null ? null : java.time.Instant.parse(s);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
