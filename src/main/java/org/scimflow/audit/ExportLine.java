package org.scimflow.audit;

import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Reads the chain fields off an NDJSON export line written by {@link AuditRecordCodec#exportLine}:
 * canonical content, then {@code ,"seq":N,"prevHash":"…","recordHash":"…"}}. The content hash is taken
 * over the line's own bytes, so verifying a record costs two SHA-256 runs and no JSON parsing. Lines in
 * any other layout (older exports, reformatted files) are not recognised here and take the parsing path.
 */
final class ExportLine {

    private static final byte[] SEQ = ",\"seq\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] PREV = ",\"prevHash\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] RECORD = "\",\"recordHash\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int HASH_HEX = 64;

    final long seq;
    final byte[] prevHash;
    final byte[] recordHash;
    /** SHA-256 of the content: the line up to the chain fields, closed with its brace. */
    final byte[] contentHash;

    private ExportLine(long seq, byte[] prevHash, byte[] recordHash, byte[] contentHash) {
        this.seq = seq;
        this.prevHash = prevHash;
        this.recordHash = recordHash;
        this.contentHash = contentHash;
    }

    /** The line's chain fields and content hash, or null if the line is not in the export layout. */
    static ExportLine parse(byte[] l, MessageDigest sha256) {
        int end = l.length;
        if (end > 0 && l[end - 1] == '\n') {
            end--;
        }
        int p = end - 2;
        if (p < 0 || l[p] != '"' || l[p + 1] != '}') {
            return null;
        }
        int recordAt = p - HASH_HEX;
        int prevEnd = recordAt - RECORD.length;
        int prevAt = prevEnd - HASH_HEX;
        int digitsEnd = prevAt - PREV.length;
        if (digitsEnd <= 0 || !at(l, recordAt - RECORD.length, RECORD) || !at(l, digitsEnd, PREV)) {
            return null;
        }
        int d = digitsEnd;
        long seq = 0;
        long scale = 1;
        while (d > 0 && l[d - 1] >= '0' && l[d - 1] <= '9' && digitsEnd - d < 18) {
            d--;
            seq += (l[d] - '0') * scale;
            scale *= 10;
        }
        int contentEnd = d - SEQ.length;
        if (d == digitsEnd || contentEnd < 1 || !at(l, contentEnd, SEQ) || l[0] != '{') {
            return null;
        }
        byte[] prev;
        byte[] record;
        try {
            prev = hex(l, prevAt);
            record = hex(l, recordAt);
        } catch (IllegalArgumentException notHex) {
            return null;
        }
        sha256.reset();
        sha256.update(l, 0, contentEnd);
        sha256.update((byte) '}');
        return new ExportLine(seq, prev, record, sha256.digest());
    }

    private static boolean at(byte[] l, int from, byte[] expected) {
        if (from < 0 || from + expected.length > l.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (l[from + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] hex(byte[] l, int from) {
        return HexFormat.of().parseHex(new String(l, from, HASH_HEX, java.nio.charset.StandardCharsets.US_ASCII));
    }
}
