package org.scimflow.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One SHA-256 instance per thread, reset before each use: looking a provider up costs more than hashing
 * a token or an audit record, and both happen on every call.
 */
public final class Sha256 {

    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private Sha256() { }

    /** This thread's digest, reset; valid until this thread's next call. */
    public static MessageDigest digest() {
        MessageDigest md = DIGEST.get();
        md.reset();
        return md;
    }

    public static byte[] of(byte[] data) {
        return digest().digest(data);
    }

    /** The digest of {@code len} bytes of {@code data} from {@code off}. */
    public static byte[] of(byte[] data, int off, int len) {
        MessageDigest md = digest();
        md.update(data, off, len);
        return md.digest();
    }
}
