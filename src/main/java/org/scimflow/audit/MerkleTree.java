package org.scimflow.audit;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * RFC 6962 Merkle tree hashing over audit records ({@code leaf = record_hash}): leaf hashes are
 * {@code SHA-256(0x00 || leaf)}, interior nodes {@code SHA-256(0x01 || left || right)}, and a tree of n
 * leaves splits at the largest power of two below n.
 */
public final class MerkleTree {

    private MerkleTree() { }

    public static byte[] leafHash(byte[] leaf) {
        MessageDigest md = sha256();
        md.update((byte) 0x00);
        md.update(leaf);
        return md.digest();
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest md = sha256();
        md.update((byte) 0x01);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    /** The root of an empty tree: SHA-256 of the empty string. */
    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    /**
     * The running right edge of a growing tree: the roots of its perfect subtrees, largest first.
     * Appending a leaf is O(log n); the root of the tree so far is available at any size.
     */
    public static final class CompactRange {
        private final List<byte[]> hashes = new ArrayList<>();
        private final List<Integer> heights = new ArrayList<>();
        private long size;

        public void append(byte[] leaf) {
            appendLeafHash(leafHash(leaf));
        }

        /** Appends a leaf whose {@link MerkleTree#leafHash} is already computed (verification does it in parallel). */
        public void appendLeafHash(byte[] leafHash) {
            byte[] h = leafHash;
            int height = 0;
            while (!heights.isEmpty() && heights.get(heights.size() - 1) == height) {
                h = nodeHash(hashes.remove(hashes.size() - 1), h);
                heights.remove(heights.size() - 1);
                height++;
            }
            hashes.add(h);
            heights.add(height);
            size++;
        }

        public long size() {
            return size;
        }

        /** {@code size;height:hash,height:hash,…} — enough to resume appending. */
        public String encode() {
            StringBuilder sb = new StringBuilder().append(size).append(';');
            for (int i = 0; i < hashes.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(heights.get(i)).append(':').append(java.util.HexFormat.of().formatHex(hashes.get(i)));
            }
            return sb.toString();
        }

        public static CompactRange decode(String s) {
            CompactRange r = new CompactRange();
            String[] parts = s.split(";", 2);
            r.size = Long.parseLong(parts[0]);
            if (parts.length > 1 && !parts[1].isEmpty()) {
                for (String e : parts[1].split(",")) {
                    String[] hv = e.split(":");
                    r.heights.add(Integer.parseInt(hv[0]));
                    r.hashes.add(java.util.HexFormat.of().parseHex(hv[1]));
                }
            }
            long total = 0;
            for (int h : r.heights) {
                total += 1L << h;
            }
            if (total != r.size) {
                throw new IllegalArgumentException("frontier does not add up to its size");
            }
            return r;
        }

        /**
         * The hash of the perfect subtree over leaves {@code [from, to)} if it is one of this range's
         * nodes (the roots of the aligned subtrees that make up the first {@link #size()} leaves), else null.
         */
        public byte[] node(long from, long to) {
            long start = 0;
            for (int i = 0; i < hashes.size(); i++) {
                long end = start + (1L << heights.get(i));
                if (start == from && end == to) {
                    return hashes.get(i);
                }
                start = end;
            }
            return null;
        }

        /** RFC 6962 root of the leaves appended so far. */
        public byte[] root() {
            if (hashes.isEmpty()) {
                return emptyRoot();
            }
            byte[] r = hashes.get(hashes.size() - 1);
            for (int i = hashes.size() - 2; i >= 0; i--) {
                r = nodeHash(hashes.get(i), r);
            }
            return r;
        }
    }

    /** Root of leaves [from, to) read through {@code leaves} (0-based indexes). */
    public static byte[] rootOf(long from, long to, LongFunction<byte[]> leaves) {
        return rootOf(from, to, leaves, null);
    }

    /**
     * Root of leaves [from, to), where the first {@code prefix.size()} leaves need not be readable: subtrees
     * inside them are taken from {@code prefix} (the frontier at that size), which has every subtree an
     * audit path for a later leaf needs.
     */
    static byte[] rootOf(long from, long to, LongFunction<byte[]> leaves, CompactRange prefix) {
        long n = to - from;
        if (n == 0) {
            return emptyRoot();
        }
        if (prefix != null && to <= prefix.size()) {
            byte[] known = prefix.node(from, to);
            if (known != null) {
                return known;
            }
            if (n == 1) {
                throw new IllegalArgumentException("leaf " + from + " is before the frontier at " + prefix.size());
            }
        } else if (n == 1) {
            return leafHash(leaves.apply(from));
        }
        long k = largestPowerOfTwoBelow(n);
        return nodeHash(rootOf(from, from + k, leaves, prefix), rootOf(from + k, to, leaves, prefix));
    }

    /** RFC 6962 §2.1.1 audit path for leaf {@code index} in the tree of the first {@code size} leaves. */
    public static List<byte[]> inclusionProof(long index, long size, LongFunction<byte[]> leaves) {
        return inclusionProof(index, size, leaves, null);
    }

    /**
     * The audit path of a leaf at or after {@code prefix.size()} when the leaves before it are gone (purged)
     * and only their frontier is known; {@code leaves} is asked for leaves from {@code prefix.size()} on.
     */
    public static List<byte[]> inclusionProof(long index, long size, LongFunction<byte[]> leaves, CompactRange prefix) {
        if (prefix != null && index < prefix.size()) {
            throw new IllegalArgumentException("leaf " + index + " is before the frontier at " + prefix.size());
        }
        List<long[]> ranges = new ArrayList<>();
        pathRanges(index, 0, size, ranges);
        return rootsInLeafOrder(ranges, leaves, prefix);
    }

    /**
     * The roots of disjoint leaf ranges, returned in the order given but computed in the order of their
     * leaves: {@code leaves} is then asked front to back, each leaf once (rootOf reads a range left to
     * right), so it can be a database cursor and memory stays flat however many leaves there are.
     */
    private static List<byte[]> rootsInLeafOrder(List<long[]> ranges, LongFunction<byte[]> leaves, CompactRange prefix) {
        Integer[] byFirstLeaf = new Integer[ranges.size()];
        for (int i = 0; i < byFirstLeaf.length; i++) {
            byFirstLeaf[i] = i;
        }
        java.util.Arrays.sort(byFirstLeaf, java.util.Comparator.comparingLong(i -> ranges.get(i)[0]));
        byte[][] roots = new byte[ranges.size()][];
        for (int i : byFirstLeaf) {
            roots[i] = rootOf(ranges.get(i)[0], ranges.get(i)[1], leaves, prefix);
        }
        return new ArrayList<>(java.util.Arrays.asList(roots));
    }

    /**
     * RFC 9162 §2.1.4.1 consistency proof between the tree of the first {@code m} leaves and the tree of the
     * first {@code n} ({@code 0 < m <= n}): the nodes that let someone who holds only the two roots check
     * that the larger tree is the smaller one with leaves appended. With {@code prefix} (the frontier at
     * size {@code m}), {@code leaves} is asked only for leaves from {@code m} on, front to back, each once;
     * without it, for every leaf it needs from the first on.
     */
    public static List<byte[]> consistencyProof(long m, long n, LongFunction<byte[]> leaves, CompactRange prefix) {
        if (m < 1 || m > n) {
            throw new IllegalArgumentException("no consistency proof from tree size " + m + " to " + n);
        }
        if (prefix != null && prefix.size() != m) {
            throw new IllegalArgumentException("the frontier is at " + prefix.size() + ", not at " + m);
        }
        List<long[]> ranges = new ArrayList<>();
        subproofRanges(m, 0, n, true, ranges);
        return rootsInLeafOrder(ranges, leaves, prefix);
    }

    /** RFC 9162 §2.1.4.1 SUBPROOF: the leaf ranges whose roots make up the proof, in proof order. */
    private static void subproofRanges(long m, long from, long to, boolean whole, List<long[]> out) {
        long n = to - from;
        if (m == n) {
            if (!whole) {
                out.add(new long[] {from, to});
            }
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            subproofRanges(m, from, from + k, whole, out);
            out.add(new long[] {from + k, to});
        } else {
            subproofRanges(m - k, from + k, to, false, out);
            out.add(new long[] {from, from + k});
        }
    }

    /**
     * RFC 9162 §2.1.4.2: checks that the tree of {@code m} leaves with root {@code firstRoot} is a prefix of
     * the tree of {@code n} leaves with root {@code secondRoot}.
     */
    public static boolean verifyConsistency(long m, long n, List<byte[]> proof, byte[] firstRoot, byte[] secondRoot) {
        if (m < 1 || m > n) {
            return false;
        }
        if (m == n) {
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, secondRoot);
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(m) == 1) {
            path.add(0, firstRoot);
        }
        if (path.isEmpty()) {
            return false;
        }
        long fn = m - 1;
        long sn = n - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, firstRoot) && MessageDigest.isEqual(sr, secondRoot);
    }

    /** The leaf ranges [from, to) whose roots make up the audit path of leaf {@code from + m}, leaf first. */
    private static void pathRanges(long m, long from, long to, List<long[]> out) {
        long n = to - from;
        if (n <= 1) {
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (m < k) {
            pathRanges(m, from, from + k, out);
            out.add(new long[] {from + k, to});
        } else {
            pathRanges(m - k, from + k, to, out);
            out.add(new long[] {from, from + k});
        }
    }

    /** RFC 9162 §2.1.3.2: recomputes the root from a leaf, its index, the tree size and the audit path. */
    public static boolean verifyInclusion(byte[] leaf, long index, long size, List<byte[]> proof, byte[] root) {
        if (index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash(leaf);
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    static long largestPowerOfTwoBelow(long n) {
        long k = Long.highestOneBit(n);
        return k == n ? k >> 1 : k;
    }

    /** The calling thread's SHA-256, reset; every use here finishes before the next begins. */
    private static MessageDigest sha256() {
        return AuditRecordCodec.digest();
    }
}
