package org.scimflow.audit;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;

/**
 * Derives the Ed25519 public key of a private key seed with the JDK alone: the JDK's generator draws
 * the 32-byte seed from its random source, so feeding it the known seed regenerates the same pair.
 * The result is checked, so a JDK that draws differently fails loudly instead of signing with a wrong key.
 */
final class Ed25519Public {

    private Ed25519Public() { }

    static PublicKey derive(byte[] seed) throws GeneralSecurityException {
        SecureRandom fixed = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
            }
        };
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        g.initialize(NamedParameterSpec.ED25519, fixed);
        KeyPair kp = g.generateKeyPair();
        byte[] regenerated = ((EdECPrivateKey) kp.getPrivate()).getBytes().orElseThrow();
        if (!MessageDigest.isEqual(regenerated, seed)) {
            throw new GeneralSecurityException("cannot derive the Ed25519 public key on this JDK");
        }
        return kp.getPublic();
    }
}
