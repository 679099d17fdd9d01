package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** RFC 6962 hashing, incremental roots and inclusion proofs. */
class MerkleTreeTest {

    static byte[] leaf(long i) {
        return ("leaf-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void knownVectorsFromRfc6962Structure() {
        // Empty tree root is SHA-256(""), single leaf is SHA-256(0x00 || leaf).
        assertThat(HexFormat.of().formatHex(MerkleTree.emptyRoot()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(HexFormat.of().formatHex(MerkleTree.leafHash(new byte[0])))
                .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
        // Three leaves split 2 + 1.
        byte[] expected = MerkleTree.nodeHash(
                MerkleTree.nodeHash(MerkleTree.leafHash(leaf(0)), MerkleTree.leafHash(leaf(1))),
                MerkleTree.leafHash(leaf(2)));
        assertThat(MerkleTree.rootOf(0, 3, MerkleTreeTest::leaf)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 100})
    void compactRangeRootEqualsRecursiveRoot(int n) {
        MerkleTree.CompactRange range = new MerkleTree.CompactRange();
        for (int i = 0; i < n; i++) {
            range.append(leaf(i));
        }
        assertThat(range.root()).isEqualTo(MerkleTree.rootOf(0, n, MerkleTreeTest::leaf));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 13, 100})
    void everyLeafHasAProofThatVerifiesAndNoOtherLeafPassesIt(int n) {
        byte[] root = MerkleTree.rootOf(0, n, MerkleTreeTest::leaf);
        for (int i = 0; i < n; i++) {
            List<byte[]> proof = MerkleTree.inclusionProof(i, n, MerkleTreeTest::leaf);
            assertThat(MerkleTree.verifyInclusion(leaf(i), i, n, proof, root)).as("leaf %d of %d", i, n).isTrue();
            assertThat(MerkleTree.verifyInclusion(leaf(i + 1000), i, n, proof, root)).isFalse();
            if (n > 1) {
                assertThat(MerkleTree.verifyInclusion(leaf(i), (i + 1) % n, n, proof, root)).isFalse();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 13, 33})
    void afterAPurgeTheFrontierStandsInForThePurgedLeaves(int purged) {
        MerkleTree.CompactRange frontier = new MerkleTree.CompactRange();
        for (int i = 0; i < purged; i++) {
            frontier.append(leaf(i));
        }
        java.util.function.LongFunction<byte[]> keptOnly = i -> {
            assertThat(i).as("a purged leaf was read").isGreaterThanOrEqualTo(purged);
            return leaf(i);
        };
        for (int size = purged + 1; size <= purged + 40; size++) {
            for (int i = purged; i < size; i++) {
                assertThat(MerkleTree.inclusionProof(i, size, keptOnly, frontier))
                        .as("leaf %d of %d after %d purged", i, size, purged)
                        .containsExactlyElementsOf(MerkleTree.inclusionProof(i, size, MerkleTreeTest::leaf));
            }
        }
    }

    /**
     * A proof reads the leaves front to back, each once, and never the proven leaf: the audit API feeds it
     * from a database cursor (AuditStore.withRecordHashes), which cannot go back.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 5, 16})
    void aProofReadsTheLeavesFrontToBackOnce(int purged) {
        MerkleTree.CompactRange frontier = new MerkleTree.CompactRange();
        for (int i = 0; i < purged; i++) {
            frontier.append(leaf(i));
        }
        for (int size = purged + 1; size <= purged + 70; size++) {
            for (int index = purged; index < size; index++) {
                List<Long> read = new java.util.ArrayList<>();
                List<byte[]> proof = MerkleTree.inclusionProof(index, size, i -> {
                    read.add(i);
                    return leaf(i);
                }, purged == 0 ? null : frontier);
                assertThat(read).as("leaf %d of %d", index, size).isSorted().doesNotHaveDuplicates()
                        .doesNotContain((long) index);
                assertThat(read).hasSize(size - purged - 1);
                assertThat(proof).containsExactlyElementsOf(MerkleTree.inclusionProof(index, size, MerkleTreeTest::leaf));
            }
        }
    }

    private static byte[] root(long from, long to) {
        return MerkleTree.rootOf(from, to, MerkleTreeTest::leaf);
    }

    /** RFC 6962 §2.1.3's examples over the tree of seven leaves (its figure names the nodes). */
    @Test
    void consistencyProofsOfTheRfcExamples() {
        byte[] c = MerkleTree.leafHash(leaf(2));
        byte[] d = MerkleTree.leafHash(leaf(3));
        byte[] g = root(0, 2);
        byte[] i = root(4, 6);
        byte[] j = MerkleTree.leafHash(leaf(6));
        byte[] k = root(0, 4);
        byte[] l = root(4, 7);
        assertThat(MerkleTree.consistencyProof(3, 7, MerkleTreeTest::leaf, null)).containsExactly(c, d, g, l);
        assertThat(MerkleTree.consistencyProof(4, 7, MerkleTreeTest::leaf, null)).containsExactly(l);
        assertThat(MerkleTree.consistencyProof(6, 7, MerkleTreeTest::leaf, null)).containsExactly(i, j, k);
        assertThat(MerkleTree.consistencyProof(7, 7, MerkleTreeTest::leaf, null)).isEmpty();
    }

    /**
     * Every pair of sizes: the proof verifies; it is the same whether the leaves before the smaller size
     * are read or stood in for by its frontier (then only later leaves are read, front to back, once); and
     * it fails for a changed old leaf, a wrong size or a changed node.
     */
    @Test
    void consistencyProofsVerifyAndCatchARewrittenPrefix() {
        for (int n = 1; n <= 40; n++) {
            byte[] second = root(0, n);
            for (int m = 1; m <= n; m++) {
                byte[] first = root(0, m);
                List<byte[]> full = MerkleTree.consistencyProof(m, n, MerkleTreeTest::leaf, null);
                MerkleTree.CompactRange frontier = new MerkleTree.CompactRange();
                for (int x = 0; x < m; x++) {
                    frontier.append(leaf(x));
                }
                List<Long> read = new java.util.ArrayList<>();
                final int size = m;
                List<byte[]> fromFrontier = MerkleTree.consistencyProof(m, n, x -> {
                    assertThat(x).as("a leaf before the frontier was read").isGreaterThanOrEqualTo(size);
                    read.add(x);
                    return leaf(x);
                }, frontier);
                assertThat(fromFrontier).as("%d to %d", m, n).containsExactlyElementsOf(full);
                assertThat(read).isSorted().doesNotHaveDuplicates();
                assertThat(MerkleTree.verifyConsistency(m, n, full, first, second)).as("%d to %d", m, n).isTrue();

                // The same later tree over a rewritten old leaf is not an extension of the first one.
                final int changed = m - 1;
                java.util.function.LongFunction<byte[]> rewritten = x -> x == changed ? leaf(x + 1000) : leaf(x);
                byte[] rewrittenSecond = MerkleTree.rootOf(0, n, rewritten);
                List<byte[]> forged = MerkleTree.consistencyProof(m, n, rewritten, null);
                assertThat(MerkleTree.verifyConsistency(m, n, forged, first, rewrittenSecond)).isFalse();
                assertThat(MerkleTree.verifyConsistency(m, n, full, first, rewrittenSecond)).isFalse();
                if (m < n) {
                    assertThat(MerkleTree.verifyConsistency(m + 1, n, full, root(0, m + 1), second)).isFalse();
                }
                if (!full.isEmpty()) {
                    List<byte[]> bent = new java.util.ArrayList<>(full);
                    byte[] node = bent.get(bent.size() - 1).clone();
                    node[0] ^= 1;
                    bent.set(bent.size() - 1, node);
                    assertThat(MerkleTree.verifyConsistency(m, n, bent, first, second)).isFalse();
                }
            }
        }
    }
}
