package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The hashed form of a record is canonical (RFC 8785) and the chain link matches the database's. */
class AuditRecordCodecTest {

    final ObjectMapper mapper = new ObjectMapper();
    final AuditRecordCodec codec = new AuditRecordCodec(mapper);

    AuditEvent event() throws Exception {
        return AuditEvent.builder().eventId(UUID.fromString("01a22636-dd47-7e4b-929b-884255bd1b9c"))
                .eventTime(Instant.parse("2026-11-29T07:30:59.422476Z")).recordedTime(Instant.parse("2026-11-29T07:30:59.5Z"))
                .correlationId("c-1").channel("scim-in").action("scim.user.create").outcome("success")
                .actorType("client").actorId("okta").subjectType("User").subjectId("u-1").httpStatus(201)
                .changes(mapper.readTree("[{\"path\":\"title\",\"new\":1.0}]")).build();
    }

    @Test
    void canonicalContentSortsKeysAndNormalisesNumbers() throws Exception {
        String canonical = new String(codec.canonicalContent(event()), StandardCharsets.UTF_8);
        assertThat(canonical).startsWith("{\"action\":\"scim.user.create\",\"actor\":{\"id\":\"okta\",\"type\":\"client\"}");
        assertThat(canonical).contains("{\"new\":1,\"path\":\"title\"}").doesNotContain("seq").doesNotContain("recordHash");
    }

    @Test
    void contentHashIgnoresKeyOrderAndNumberSpellingButNotValues() throws Exception {
        AuditEvent a = event();
        AuditEvent reordered = a.toBuilder().changes(mapper.readTree("[{\"new\":1,\"path\":\"title\"}]")).build();
        AuditEvent changed = a.toBuilder().changes(mapper.readTree("[{\"new\":2,\"path\":\"title\"}]")).build();
        assertThat(codec.contentHash(reordered)).isEqualTo(codec.contentHash(a));
        assertThat(codec.contentHash(changed)).isNotEqualTo(codec.contentHash(a));
        assertThat(codec.contentHash(a.toBuilder().outcome("failure").build())).isNotEqualTo(codec.contentHash(a));
    }

    @Test
    void chainHashBindsPreviousHashSequenceAndContent() {
        byte[] zero = new byte[32];
        byte[] content = AuditRecordCodec.sha256("x".getBytes(StandardCharsets.UTF_8));
        byte[] h1 = AuditRecordCodec.chainHash(zero, 1, content);
        // sha256(32 zero bytes || 00..01 || sha256("x")), computed independently with sha256sum.
        assertThat(HexFormat.of().formatHex(h1)).isEqualTo(
                HexFormat.of().formatHex(AuditRecordCodec.sha256(concat(zero, new byte[] {0, 0, 0, 0, 0, 0, 0, 1}, content))));
        assertThat(AuditRecordCodec.chainHash(zero, 2, content)).isNotEqualTo(h1);
        assertThat(AuditRecordCodec.chainHash(h1, 1, content)).isNotEqualTo(h1);
    }

    @Test
    void anExportLineIsTheCanonicalContentWithTheChainFieldsLast() throws Exception {
        byte[] prev = AuditRecordCodec.sha256("prev".getBytes(StandardCharsets.UTF_8));
        AuditEvent e = event().toBuilder().seq(42L).prevHash(prev)
                .recordHash(AuditRecordCodec.chainHash(prev, 42, codec.contentHash(event()))).build();
        byte[] line = codec.exportLine(e);
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");

        ExportLine parsed = ExportLine.parse(line, sha);
        assertThat(parsed).isNotNull();
        assertThat(parsed.seq).isEqualTo(42);
        assertThat(parsed.prevHash).isEqualTo(prev);
        assertThat(parsed.recordHash).isEqualTo(e.recordHash());
        assertThat(parsed.contentHash).isEqualTo(codec.contentHash(e));
        // To a JSON reader it is the record as the API serves it (numbers in their canonical spelling).
        assertThat(mapper.readTree(line)).isEqualTo(mapper.readTree(CanonicalJson.bytes(codec.toJson(e))));

        // Any edit of the content changes the hash taken over the line's bytes.
        String edited = new String(line, StandardCharsets.UTF_8).replace("\"okta\"", "\"oktb\"");
        assertThat(ExportLine.parse(edited.getBytes(StandardCharsets.UTF_8), sha).contentHash)
                .isNotEqualTo(codec.contentHash(e));
        // Other layouts: not recognised, or (the API's JSON, key order not canonical) a hash that does not
        // match, which sends the verifier down its parsing path (see below).
        ExportLine apiLayout = ExportLine.parse(mapper.writeValueAsBytes(codec.toJson(e)), sha);
        assertThat(apiLayout == null || !java.util.Arrays.equals(apiLayout.contentHash, codec.contentHash(e))).isTrue();
        assertThat(ExportLine.parse("{\"x\":1}\n".getBytes(StandardCharsets.UTF_8), sha)).isNull();
        assertThat(ExportLine.parse(new byte[0], sha)).isNull();
    }

    @Test
    void theOfflineVerifierAcceptsBothLayoutsAndCatchesAnEditInEither(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        SigningKeys keys = SigningKeys.open(dir, null);
        byte[] prev = new byte[32];
        java.util.List<AuditEvent> chain = new java.util.ArrayList<>();
        for (long seq = 1; seq <= 3; seq++) {
            AuditEvent e = event().toBuilder().eventId(UUID.randomUUID()).seq(seq).prevHash(prev).build();
            e = e.toBuilder().recordHash(AuditRecordCodec.chainHash(prev, seq, codec.contentHash(e))).build();
            chain.add(e);
            prev = e.recordHash();
        }
        for (boolean exportLayout : new boolean[] {true, false}) {
            java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
            for (AuditEvent e : chain) {
                file.write(exportLayout ? codec.exportLine(e)
                        : (mapper.writeValueAsString(codec.toJson(e)) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            String intact = withManifest(file.toString(StandardCharsets.UTF_8), keys);
            String edited = withManifest(file.toString(StandardCharsets.UTF_8).replaceFirst("\"c-1\"", "\"c-2\""), keys);

            ExportVerifier verifier = new ExportVerifier(keys);
            assertThat(verifier.verify(new java.io.ByteArrayInputStream(intact.getBytes(StandardCharsets.UTF_8))).findings())
                    .as("layout %s", exportLayout ? "export" : "api").isEmpty();
            assertThat(verifier.verify(new java.io.ByteArrayInputStream(edited.getBytes(StandardCharsets.UTF_8))).findings())
                    .extracting(AuditVerifier.Finding::seq, AuditVerifier.Finding::kind)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "HASH_MISMATCH"));
        }
    }

    /** Appends a manifest signed over exactly these lines, as the export endpoint does. */
    private String withManifest(String lines, SigningKeys keys) throws Exception {
        byte[] digest = AuditRecordCodec.sha256(lines.getBytes(StandardCharsets.UTF_8));
        long count = lines.lines().count();
        return lines + mapper.writeValueAsString(ExportManifest.build(mapper, "ndjson", mapper.createObjectNode(), count,
                1L, count, digest, null, keys)) + "\n";
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "[{\"path\":\"a\",\"new\":1.5e-7}]", "[{\"new\":\"\\u0001\\u001f\\\"\\\\ é € 😀\"}]",
            "[{\"new\":{\"b\":[true,false,null],\"a\":-0.0,\"\\u00e9\":1e21,\"Z\":123456789012}}]",
            "[{\"new\":100000000000000000000000}]", "[]"})
    void fastCanonicalFormEqualsTheReferenceImplementation(String changes) throws Exception {
        AuditEvent e = event().toBuilder().changes(mapper.readTree(changes)).subjectName("Zoë \"q\" \t").build();
        assertThat(new String(codec.canonicalContent(e), StandardCharsets.UTF_8))
                .isEqualTo(new String(codec.canonicalContentReference(e), StandardCharsets.UTF_8));
    }
}
