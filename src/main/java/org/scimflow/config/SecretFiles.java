package org.scimflow.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold a secret (tokens, keys, passwords) in the data folder: readable by their owner only. */
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
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        }
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
}
