package org.scimflow.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;

/**
 * The last line of a signed export: what was exported (filters, count, seq range), the SHA-256 of every
 * byte before it, the signed checkpoint that covers the records, and an Ed25519 signature over the
 * manifest's canonical JSON (without the signature field).
 */
public final class ExportManifest {

    public static final String KEY = "scimflowExportManifest";

    private ExportManifest() { }

    /**
     * Where an export that does not begin at seq 1 starts: the signed checkpoint just before its first record
     * and the tree's right edge (frontier) there. A verifier checks the frontier against that checkpoint's
     * signed root, the first record's prevHash against its head, and can then recompute the Merkle root at
     * the covering checkpoint from the exported records alone.
     */
    public record Start(Checkpoint checkpoint, String frontier) { }

    public static ObjectNode build(ObjectMapper mapper, String format, JsonNode filters, long count, Long firstSeq,
                                   Long lastSeq, byte[] digest, Checkpoint checkpoint, SigningKeys keys) {
        return build(mapper, format, filters, count, firstSeq, lastSeq, digest, checkpoint, null, keys);
    }

    public static ObjectNode build(ObjectMapper mapper, String format, JsonNode filters, long count, Long firstSeq,
                                   Long lastSeq, byte[] digest, Checkpoint checkpoint, Start start, SigningKeys keys) {
        ObjectNode m = mapper.createObjectNode();
        m.put("version", 1);
        m.put("format", format);
        m.set("filters", filters);
        m.put("count", count);
        if (firstSeq != null) {
            m.put("firstSeq", firstSeq);
            m.put("lastSeq", lastSeq);
        }
        m.put("sha256", java.util.HexFormat.of().formatHex(digest));
        if (checkpoint != null) {
            m.set("checkpoint", checkpoint.toJson(mapper));
        }
        if (start != null) {
            m.set("startCheckpoint", start.checkpoint().toJson(mapper));
            m.put("startFrontier", start.frontier());
        }
        m.put("keyId", keys.activeKeyId());
        m.put("signature", Base64.getEncoder().encodeToString(keys.sign(CanonicalJson.bytes(m))));
        ObjectNode line = mapper.createObjectNode();
        line.set(KEY, m);
        return line;
    }

    /** True if the manifest's signature verifies with one of {@code keys}. */
    public static boolean signatureValid(ObjectNode manifest, SigningKeys keys) {
        ObjectNode unsigned = manifest.deepCopy();
        String sig = unsigned.remove("signature").asText();
        return keys.verify(manifest.path("keyId").asText(), CanonicalJson.bytes(unsigned), Base64.getDecoder().decode(sig));
    }
}
