package org.scimflow.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.scimflow.config.SecretFiles;

/**
 * Ed25519 keys that sign audit checkpoints. The active private key lives in a PEM file (generated into
 * {@code data/keys/} on first run, or configured); every public key ever used stays in the keys folder
 * ({@code <keyId>.pub.pem}) so checkpoints signed before a rotation still verify.
 */
public final class SigningKeys {

    public static final String ALGORITHM = "Ed25519";
    private final Path dir;
    private String activeKeyId;
    private PrivateKey activeKey;

    private SigningKeys(Path dir) {
        this.dir = dir;
    }

    /** Loads the active key from {@code privateKeyPath} if given, else from (or into) {@code dir}. */
    public static SigningKeys open(Path dir, Path privateKeyPath) {
        SigningKeys keys = new SigningKeys(dir);
        try {
            Files.createDirectories(dir);
            if (privateKeyPath != null) {
                keys.useActive(readPrivate(privateKeyPath));
            } else {
                Path active = dir.resolve("active.key.pem");
                if (Files.isRegularFile(active)) {
                    keys.useActive(readPrivate(active));
                } else {
                    keys.rotate();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open signing keys in " + dir, e);
        }
        return keys;
    }

    /** Public keys only, for offline verification. */
    public static SigningKeys publicOnly(Path dir) {
        return new SigningKeys(dir);
    }

    /** Makes a new key the active one; the old public key stays available for verification. */
    public synchronized String rotate() throws IOException {
        try {
            KeyPair kp = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            String id = keyId(kp.getPublic());
            writePem(dir.resolve(id + ".pub.pem"), "PUBLIC KEY", kp.getPublic().getEncoded(), false);
            Path active = dir.resolve("active.key.pem");
            Path tmp = dir.resolve("active.key.pem.tmp");
            Files.deleteIfExists(tmp);
            writePem(tmp, "PRIVATE KEY", kp.getPrivate().getEncoded(), true);
            Files.move(tmp, active, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            activeKeyId = id;
            activeKey = kp.getPrivate();
            return id;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public synchronized String activeKeyId() {
        return activeKeyId;
    }

    public synchronized byte[] sign(byte[] payload) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(activeKey);
            s.update(payload);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True if {@code signature} over {@code payload} verifies with the public key {@code keyId}. */
    public boolean verify(String keyId, byte[] payload, byte[] signature) {
        return verify(publicKeys().get(keyId), payload, signature);
    }

    /**
     * True if {@code signature} over {@code payload} verifies with {@code key} (false for no key).
     * Bouncy Castle's RFC 8032 code checks a signature in a tenth of the JDK's time, which matters to a
     * verifier reading a thousand checkpoints per million records.
     */
    public static boolean verify(PublicKey key, byte[] payload, byte[] signature) {
        if (key == null || signature == null || signature.length != org.bouncycastle.math.ec.rfc8032.Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        byte[] spki = key.getEncoded();
        byte[] raw = java.util.Arrays.copyOfRange(spki, spki.length - org.bouncycastle.math.ec.rfc8032.Ed25519.PUBLIC_KEY_SIZE,
                spki.length);
        if (!java.util.Arrays.equals(spki, 0, spki.length - raw.length, ED25519_SPKI_PREFIX, 0, ED25519_SPKI_PREFIX.length)) {
            return false;
        }
        return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, raw, 0, payload, 0, payload.length);
    }

    /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32 key bytes follow it. */
    private static final byte[] ED25519_SPKI_PREFIX = java.util.HexFormat.of().parseHex("302a300506032b6570032100");

    /** Every public key in the folder, by key id. */
    public Map<String, PublicKey> publicKeys() {
        Map<String, PublicKey> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".pub.pem")).sorted().toList()) {
                PublicKey k = readPublic(p);
                out.put(keyId(k), k);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static String pem(String type, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
    }

    /** Key id: the first 16 hex digits of the SHA-256 of the public key (SPKI DER). */
    public static String keyId(PublicKey key) {
        return HexFormat.of().formatHex(AuditRecordCodec.sha256(key.getEncoded())).substring(0, 16);
    }

    private void useActive(PrivateKey key) throws IOException {
        try {
            PublicKey pub = publicFor(key);
            String id = keyId(pub);
            Path pubFile = dir.resolve(id + ".pub.pem");
            if (!Files.exists(pubFile)) {
                writePem(pubFile, "PUBLIC KEY", pub.getEncoded(), false);
            }
            activeKeyId = id;
            activeKey = key;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("unusable signing key", e);
        }
    }

    /** The public half of an Ed25519 PKCS#8 key, which holds only the 32-byte seed. */
    private static PublicKey publicFor(PrivateKey key) throws GeneralSecurityException {
        var edKey = (java.security.interfaces.EdECPrivateKey) key;
        byte[] seed = edKey.getBytes().orElseThrow();
        return Ed25519Public.derive(seed);
    }

    private static PrivateKey readPrivate(Path p) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(readPem(p)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not an Ed25519 PKCS#8 private key: " + p, e);
        }
    }

    static PublicKey readPublic(Path p) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(readPem(p)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not an Ed25519 public key: " + p, e);
        }
    }

    private static byte[] readPem(Path p) throws IOException {
        String s = Files.readString(p).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(s);
    }

    private static void writePem(Path p, String type, byte[] der, boolean secret) throws IOException {
        if (secret) {
            SecretFiles.create(p, pem(type, der));
        } else {
            Files.writeString(p, pem(type, der));
        }
    }


}
