package org.scimflow.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files that hold a secret (tokens, keys, passwords) or personal data (audit archives) in the data folder:
 * readable by their owner only.
 */
public final class SecretFiles {

    private SecretFiles() {
    }

    /**
     * Creates {@code file} with {@code content}, readable and writable by its owner only (where the file
     * system has POSIX permissions). The file appears whole or not at all: it is written next to its place
     * and linked there, so a crash never leaves half a secret behind. An existing file is never replaced
     * ({@link java.nio.file.FileAlreadyExistsException}): a key or password someone relies on stays.
     */
    public static void create(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = ownerOnly("rw-------", a -> Files.createTempFile(dir, "." + file.getFileName(), ".tmp", a));
        try {
            Files.writeString(tmp, content);
            try {
                Files.createLink(file, tmp);
            } catch (UnsupportedOperationException noHardLinks) {
                Files.move(tmp, file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Creates {@code dir} and its missing parents, those it creates readable by their owner only. */
    public static void createDirectories(Path dir) throws IOException {
        ownerOnly("rwx------", a -> Files.createDirectories(dir, a));
    }

    /** Creates {@code file} empty, readable and writable by its owner only; an existing one is replaced. */
    public static void createEmpty(Path file) throws IOException {
        Files.deleteIfExists(file);
        ownerOnly("rw-------", a -> Files.createFile(file, a));
    }

    private interface Create {
        Path with(FileAttribute<?>... attributes) throws IOException;
    }

    /** Creates with POSIX {@code permissions}, or without any where the file system has none. */
    private static Path ownerOnly(String permissions, Create create) throws IOException {
        try {
            return create.with(PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
        } catch (UnsupportedOperationException notPosix) {
            return create.with();
        }
    }
}
