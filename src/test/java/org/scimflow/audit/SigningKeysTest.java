package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint signatures: made with the JDK, checked with Bouncy Castle; both must agree on every case. */
class SigningKeysTest {

    @Test
    void aSignatureVerifiesOnlyForItsKeyAndPayload(@TempDir Path dir) throws Exception {
        SigningKeys keys = SigningKeys.open(dir, null);
        byte[] payload = "scimflow-audit-checkpoint/v1\n42\n".getBytes(StandardCharsets.UTF_8);
        byte[] sig = keys.sign(payload);
        var publicKey = keys.publicKeys().get(keys.activeKeyId());

        assertThat(SigningKeys.verify(publicKey, payload, sig)).isTrue();
        assertThat(jdkVerify(publicKey, payload, sig)).isTrue();

        byte[] otherPayload = payload.clone();
        otherPayload[otherPayload.length - 2] ^= 1;
        assertThat(SigningKeys.verify(publicKey, otherPayload, sig)).isFalse();
        for (int i = 0; i < sig.length; i += 7) {
            byte[] flipped = sig.clone();
            flipped[i] ^= 0x10;
            assertThat(SigningKeys.verify(publicKey, payload, flipped)).as("bit flipped in byte %d", i)
                    .isEqualTo(jdkVerify(publicKey, payload, flipped)).isFalse();
        }
        var stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
        assertThat(SigningKeys.verify(stranger, payload, sig)).isFalse();
        assertThat(SigningKeys.verify((java.security.PublicKey) null, payload, sig)).isFalse();
        assertThat(SigningKeys.verify(publicKey, payload, new byte[10])).isFalse();
        var rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();
        assertThat(SigningKeys.verify(rsa, payload, sig)).isFalse();
    }

    private static boolean jdkVerify(java.security.PublicKey key, byte[] payload, byte[] sig) throws Exception {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(payload);
        try {
            return s.verify(sig);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }
}
