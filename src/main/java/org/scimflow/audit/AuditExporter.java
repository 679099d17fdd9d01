package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Writes a signed export: the matching records as NDJSON or CSV, then the manifest (count, seq range,
 * SHA-256 of every byte before it, the covering checkpoint, Ed25519 signature). Used by the audit API's
 * export and by retention for the archive of a partition.
 */
@Component
public class AuditExporter {

    static final List<String> CSV_COLUMNS = List.of("seq", "eventId", "eventTime", "recordedTime", "correlationId",
            "channel", "action", "outcome", "actor.type", "actor.id", "actor.ip", "actor.userAgent", "subject.type",
            "subject.id", "subject.name", "subject.externalId", "target.system", "target.id", "http.method", "http.path",
            "http.status", "scimType", "error", "attempt", "durationMs", "changes", "prevHash", "recordHash");

    /** What was written: the number of records and their seq range (null when none). */
    public record Written(long count, Long firstSeq, Long lastSeq) { }

    private final AuditStore store;
    private final AuditRecordCodec codec;
    private final ObjectMapper mapper;
    private final SigningKeys keys;

    public AuditExporter(AuditStore store, AuditRecordCodec codec, ObjectMapper mapper, SigningKeys keys) {
        this.store = store;
        this.codec = codec;
        this.mapper = mapper;
        this.keys = keys;
    }

    /**
     * Streams the records matching {@code q} up to {@code maxSeq} into {@code os} and ends with the signed
     * manifest. {@code start}, when given, goes into the manifest so that an export starting after seq 1 can
     * be checked against the signed Merkle roots offline (see {@link ExportManifest.Start}).
     */
    public Written write(OutputStream os, String format, AuditQuery q, ObjectNode filters, long maxSeq,
                         Checkpoint checkpoint, ExportManifest.Start start) throws IOException {
        boolean csv = format.equals("csv");
        MessageDigest digest = sha256();
        long[] count = {0};
        Long[] range = {null, null};
        if (csv) {
            writeLine(os, digest, String.join(",", CSV_COLUMNS) + "\r\n");
        }
        try {
            if (csv) {
                store.stream(q, maxSeq, e -> {
                    try {
                        writeLine(os, digest, csvLine(codec.toJson(e)) + "\r\n");
                    } catch (IOException io) {
                        throw new UncheckedIOException(io);
                    }
                    count[0]++;
                    if (range[0] == null) {
                        range[0] = e.seq();
                    }
                    range[1] = e.seq();
                });
            } else {
                // NDJSON lines straight from the column values (the verifier's canonical writer), the
                // same bytes as AuditRecordCodec.exportLine without building objects per record.
                FastCanonical canonical = new FastCanonical(mapper);
                store.streamRaw(q, maxSeq, r -> {
                    byte[] line = AuditRecordCodec.exportLine(canonical.content(r), r.seq, r.prevHash, r.recordHash);
                    digest.update(line);
                    try {
                        os.write(line);
                    } catch (IOException io) {
                        throw new UncheckedIOException(io);
                    }
                    count[0]++;
                    if (range[0] == null) {
                        range[0] = r.seq;
                    }
                    range[1] = r.seq;
                });
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        ObjectNode manifest = ExportManifest.build(mapper, format, filters, count[0], range[0], range[1],
                digest.digest(), checkpoint, start, keys);
        os.write(((csv ? "# " : "") + mapper.writeValueAsString(manifest) + (csv ? "\r\n" : "\n"))
                .getBytes(StandardCharsets.UTF_8));
        return new Written(count[0], range[0], range[1]);
    }

    private static void writeLine(OutputStream os, MessageDigest digest, String line) throws IOException {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        digest.update(b);
        os.write(b);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * First characters that make a spreadsheet read a cell as a formula. Audit records carry what callers
     * sent, unauthenticated ones included (a user agent, a path, a userName): opened in a spreadsheet, a
     * cell like {@code =HYPERLINK(...)} would run on the auditor's machine. Such cells get a leading
     * apostrophe, which spreadsheets show as text (OWASP's advice on CSV injection). The NDJSON export
     * carries every value unchanged, and is the one {@code audit verify-export} checks record by record.
     */
    static final String FORMULA_STARTS = "=+-@\t\r";

    private String csvLine(ObjectNode n) {
        StringBuilder sb = new StringBuilder(256);
        for (int i = 0; i < CSV_COLUMNS.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String[] path = CSV_COLUMNS.get(i).split("\\.");
            var v = n.get(path[0]);
            if (v != null && path.length > 1) {
                v = v.get(path[1]);
            }
            if (v == null || v.isNull()) {
                continue;
            }
            String s = v.isValueNode() ? v.asText() : v.toString();
            boolean formula = !s.isEmpty() && FORMULA_STARTS.indexOf(s.charAt(0)) >= 0;
            if (formula) {
                s = "'" + s;
            }
            if (formula || s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                sb.append('"').append(s.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(s);
            }
        }
        return sb.toString();
    }
}
