package org.scimflow.audit;

import java.security.MessageDigest;

/**
 * Reads the chain fields off an NDJSON export line written by {@link AuditRecordCodec#exportLine}:
 * canonical content, then {@code ,"seq":N,"prevHash":"…","recordHash":"…"}}. The content hash is taken
 * over the line's own bytes, so verifying a record costs a few SHA-256 runs and no JSON parsing. Lines in
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
    /** The record's RFC 6962 leaf hash ({@link MerkleTree#leafHash} of its record hash). */
    final byte[] leafHash;

    private ExportLine(long seq, byte[] prevHash, byte[] recordHash, byte[] contentHash) {
        this.seq = seq;
        this.prevHash = prevHash;
        this.recordHash = recordHash;
        this.contentHash = contentHash;
        this.leafHash = MerkleTree.leafHash(recordHash);
    }

    /** The line's chain fields and content hash, or null if the line is not in the export layout. */
    static ExportLine parse(byte[] l, MessageDigest sha256) {
        return parse(l, 0, l.length, sha256);
    }

    /**
     * As {@link #parse(byte[], MessageDigest)}, for the line at {@code l[from, to)} (a trailing newline
     * included or not), so that a verifier can read lines where they lie in its read buffer.
     */
    static ExportLine parse(byte[] l, int from, int to, MessageDigest sha256) {
        int end = to;
        if (end > from && l[end - 1] == '\n') {
            end--;
        }
        int p = end - 2;
        if (p < from || l[p] != '"' || l[p + 1] != '}') {
            return null;
        }
        int recordAt = p - HASH_HEX;
        int prevEnd = recordAt - RECORD.length;
        int prevAt = prevEnd - HASH_HEX;
        int digitsEnd = prevAt - PREV.length;
        if (digitsEnd <= from || !at(l, from, recordAt - RECORD.length, RECORD) || !at(l, from, digitsEnd, PREV)) {
            return null;
        }
        int d = digitsEnd;
        long seq = 0;
        long scale = 1;
        while (d > from && l[d - 1] >= '0' && l[d - 1] <= '9' && digitsEnd - d < 18) {
            d--;
            seq += (l[d] - '0') * scale;
            scale *= 10;
        }
        int contentEnd = d - SEQ.length;
        if (d == digitsEnd || contentEnd < from + 1 || !at(l, from, contentEnd, SEQ) || l[from] != '{') {
            return null;
        }
        byte[] prev = hex(l, prevAt);
        byte[] record = hex(l, recordAt);
        if (prev == null || record == null) {
            return null;
        }
        sha256.reset();
        sha256.update(l, from, contentEnd - from);
        sha256.update((byte) '}');
        return new ExportLine(seq, prev, record, sha256.digest());
    }

    private static boolean at(byte[] l, int lineStart, int from, byte[] expected) {
        if (from < lineStart || from + expected.length > l.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (l[from + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** The 32 bytes written as 64 lower-case hex digits at {@code from}, or null if they are not that. */
    private static byte[] hex(byte[] l, int from) {
        byte[] out = new byte[HASH_HEX / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = digit(l[from + 2 * i]);
            int lo = digit(l[from + 2 * i + 1]);
            if ((hi | lo) < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    private static int digit(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        return b >= 'a' && b <= 'f' ? b - 'a' + 10 : -1;
    }
}
