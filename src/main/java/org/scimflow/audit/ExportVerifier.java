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

/**
 * Checks an exported NDJSON file offline — no database, no hub: every record's hash, the links between
 * consecutive records, the file digest and signature in the manifest, the signed checkpoint, and, for a
 * complete export from seq 1, the Merkle root at the checkpoint.
 */
public final class ExportVerifier {

    /** What the check found. */
    public record Result(long records, List<AuditVerifier.Finding> findings, boolean manifestFound) {
        public boolean intact() {
            return manifestFound && findings.isEmpty();
        }
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final AuditRecordCodec codec = new AuditRecordCodec(mapper);
    private final SigningKeys keys;

    public ExportVerifier(SigningKeys keys) {
        this.keys = keys;
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

    private static final int BATCH = 4096;

    /**
     * The line's chain fields and content hash if it is in the export layout and its bytes match its
     * record hash; null sends it down the parsing path (an export written before the layout was fixed,
     * a reformatted line, or an edit, which the parsing path then reports).
     */
    private static ExportLine hashed(byte[] l) {
        ExportLine fast = ExportLine.parse(l, AuditRecordCodec.digest());
        if (fast != null && !MessageDigest.isEqual(fast.recordHash,
                AuditRecordCodec.chainHash(fast.prevHash, fast.seq, fast.contentHash))) {
            return null;
        }
        return fast;
    }

    private Result verify(InputStream in, ObjectNode knownManifest) throws IOException {
        List<AuditVerifier.Finding> findings = new ArrayList<>();
        MessageDigest digest = sha256();
        MerkleTree.CompactRange range = new MerkleTree.CompactRange();
        // Records are contiguous from the start (seq 1, or right after the manifest's start checkpoint), so
        // they extend the Merkle tree from there.
        boolean contiguousFromOne = true;
        long expectedSeq = 1;
        byte[] prevHash = null;
        Start from = start(knownManifest, findings);
        if (from != null) {
            range = from.range;
            expectedSeq = from.checkpoint.treeSize() + 1;
            prevHash = from.checkpoint.headHash();
        } else if (knownManifest != null && knownManifest.has("startCheckpoint")) {
            contiguousFromOne = false;
        }
        long count = 0;
        ObjectNode manifest = null;
        byte[] buf = new byte[1 << 16];
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(1024);
        int n;
        List<byte[]> lines = new ArrayList<>(256);
        boolean eof = false;
        while (!eof) {
            n = in.read(buf);
            if (n < 0) {
                eof = true;
                n = 0;
            }
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    if (line.size() == 0) {
                        lines.add(java.util.Arrays.copyOfRange(buf, start, i + 1));
                    } else {
                        line.write(buf, start, i - start + 1);
                        lines.add(line.toByteArray());
                        line.reset();
                    }
                    start = i + 1;
                }
            }
            line.write(buf, start, n - start);
            if (!eof && lines.size() < BATCH) {
                continue;
            }
            // Hashing each line's content is independent of the others: done on every core, then the
            // chain, the Merkle tree and the file digest go through the lines in order.
            List<ExportLine> hashed = lines.size() < 64 ? null
                    : lines.parallelStream().map(ExportVerifier::hashed).toList();
            for (int li = 0; li < lines.size(); li++) {
                byte[] l = lines.get(li);
                if (manifest != null) {
                    findings.add(new AuditVerifier.Finding(expectedSeq, "HASH_MISMATCH", "content after the manifest"));
                    continue;
                }
                long seq;
                byte[] linkPrev;
                byte[] linkRecord;
                byte[] contentHash;
                ExportLine fast = hashed != null ? hashed.get(li) : hashed(l);
                if (fast != null) {
                    seq = fast.seq;
                    linkPrev = fast.prevHash;
                    linkRecord = fast.recordHash;
                    contentHash = fast.contentHash;
                } else {
                    JsonNode node = mapper.readTree(l);
                    if (node.has(ExportManifest.KEY)) {
                        manifest = (ObjectNode) node.get(ExportManifest.KEY);
                        continue;
                    }
                    AuditEvent e = fromJson(node);
                    seq = e.seq();
                    linkPrev = e.prevHash();
                    linkRecord = e.recordHash();
                    contentHash = codec.contentHash(e);
                }
                digest.update(l);
                count++;
                // A line taken by hashed() already matched its record hash there.
                byte[] expected = fast != null ? linkRecord : AuditRecordCodec.chainHash(linkPrev, seq, contentHash);
                if (!MessageDigest.isEqual(expected, linkRecord)) {
                    findings.add(new AuditVerifier.Finding(seq, "HASH_MISMATCH", "record content does not match its hash"));
                }
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
                    range.append(linkRecord);
                }
                prevHash = linkRecord;
                expectedSeq = seq + 1;
            }
            lines.clear();
        }
        if (line.size() > 0) {
            findings.add(new AuditVerifier.Finding(expectedSeq, "TRUNCATED", "the file ends in the middle of a line"));
        }
        if (manifest == null) {
            findings.add(new AuditVerifier.Finding(expectedSeq, "TRUNCATED", "no signed manifest at the end of the file"));
            return new Result(count, findings, false);
        }
        if (!ExportManifest.signatureValid(manifest, keys)) {
            findings.add(new AuditVerifier.Finding(0, "BAD_SIGNATURE", "manifest signature does not verify"));
        }
        if (!HexFormat.of().formatHex(digest.digest()).equals(manifest.path("sha256").asText())
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
        return new Result(count, findings, true);
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
