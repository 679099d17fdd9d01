package org.scimflow.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A signed statement that the audit log's first {@code treeSize} records have Merkle root
 * {@code rootHash} and chain head {@code headHash}. The signature covers {@link #payload()} exactly.
 */
public record Checkpoint(long treeSize, byte[] rootHash, byte[] headHash, Instant createdAt, String keyId,
                         byte[] signature) {

    public static final String ORIGIN = "scimflow-audit-checkpoint/v1";
    private static final HexFormat HEX = HexFormat.of();

    /** The signed text: origin, size, root, head and time, one per line (in the spirit of RFC 6962 STHs). */
    public String payload() {
        return payload(treeSize, rootHash, headHash, createdAt);
    }

    public static String payload(long treeSize, byte[] root, byte[] head, Instant createdAt) {
        return ORIGIN + "\n" + treeSize + "\n" + HEX.formatHex(root) + "\n" + HEX.formatHex(head) + "\n" + createdAt + "\n";
    }

    public byte[] payloadBytes() {
        return payload().getBytes(StandardCharsets.UTF_8);
    }

    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("treeSize", treeSize);
        n.put("rootHash", HEX.formatHex(rootHash));
        n.put("headHash", HEX.formatHex(headHash));
        n.put("createdAt", createdAt.toString());
        n.put("keyId", keyId);
        n.put("signature", Base64.getEncoder().encodeToString(signature));
        n.put("payload", payload());
        return n;
    }

    public static Checkpoint fromJson(JsonNode n) {
        return new Checkpoint(n.get("treeSize").asLong(), HEX.parseHex(n.get("rootHash").asText()),
                HEX.parseHex(n.get("headHash").asText()), Instant.parse(n.get("createdAt").asText()),
                n.get("keyId").asText(), Base64.getDecoder().decode(n.get("signature").asText()));
    }

    /** Every field the same, byte for byte (a record's equals compares arrays by reference). */
    public boolean sameAs(Checkpoint o) {
        return o != null && treeSize == o.treeSize && java.util.Arrays.equals(rootHash, o.rootHash)
                && java.util.Arrays.equals(headHash, o.headHash) && java.util.Objects.equals(createdAt, o.createdAt)
                && java.util.Objects.equals(keyId, o.keyId) && java.util.Arrays.equals(signature, o.signature);
    }

    public boolean verifies(SigningKeys keys) {
        return verifies(keys.publicKeys());
    }

    /** Checks the signature against already loaded public keys, by key id. */
    public boolean verifies(java.util.Map<String, java.security.PublicKey> publicKeys) {
        return SigningKeys.verify(publicKeys.get(keyId), payloadBytes(), signature);
    }
}
