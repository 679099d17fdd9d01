package org.scimflow.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Optional;
import org.postgresql.ds.PGSimpleDataSource;
import org.scimflow.config.SecretFiles;

/**
 * How the hub, the audit CLI and the benchmarks reach the embedded PostgreSQL of a data folder.
 *
 * <p>The library's initdb makes the server trust every local connection, as any role, the superuser
 * included. At its first start on a data folder the hub gives the superuser a random password, keeps it
 * in {@code data/postgres-password} (readable by its owner only) and from then on the server asks every
 * connection for a password (scram-sha-256); the runtime role gets a fresh one at every start. Without
 * that file the server trusts local connections again until the hub has set a new password, which is
 * how a lost password is reset: whoever can delete the file can read the data folder anyway.
 */
public final class EmbeddedDatabase {

    public static final String SUPERUSER = "postgres";
    public static final String DATABASE = "scimflow";
    /** The superuser's password, in the data folder. */
    public static final String PASSWORD_FILE = "postgres-password";
    private static final String[] HBA_HOSTS = {"local all all", "host all all 127.0.0.1/32", "host all all ::1/128"};

    private EmbeddedDatabase() {
    }

    /**
     * The library's builder for the data folder's server, keeping its data between starts, with the
     * authentication described above: pg_hba.conf is written before every start, and the library's own
     * connections (start-up check, {@link EmbeddedPostgres#getDatabase}) carry the password.
     */
    public static EmbeddedPostgres.Builder builder(Path dataDir) {
        Optional<String> password = superuserPassword(dataDir);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir.resolve("postgres"))
                .setCleanDataDirectory(false)
                .setDataDirectoryCustomizer(dir -> writeHba(dir.toPath(), password.isPresent()));
        password.ifPresent(p -> builder.setConnectConfig("password", p));
        return builder;
    }

    /** The superuser's password, once the hub has set one. */
    public static Optional<String> superuserPassword(Path dataDir) {
        Path file = dataDir.resolve(PASSWORD_FILE);
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file).trim()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Superuser connections to the data folder's running server on {@code port}. */
    public static PGSimpleDataSource superuser(Path dataDir, int port) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://localhost:" + port + "/" + DATABASE);
        ds.setUser(SUPERUSER);
        superuserPassword(dataDir).ifPresent(ds::setPassword);
        return ds;
    }

    /**
     * After a start: if the superuser has no password yet, gives it one, keeps it in the data folder and
     * makes the server ask every new connection for a password. Connections already open stay open.
     */
    static void requirePasswords(EmbeddedPostgres pg, Path dataDir) throws IOException, SQLException {
        if (superuserPassword(dataDir).isPresent()) {
            return;
        }
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("alter role " + SUPERUSER + " password '" + password + "'");
            // Kept only once the server has it: a crash in between leaves trust, and a new password next time.
            SecretFiles.create(dataDir.resolve(PASSWORD_FILE), password + "\n");
            writeHba(dataDir.resolve("postgres"), true);
            st.execute("select pg_reload_conf()");
        }
        awaitPasswordsRequired(pg);
    }

    /** The server reloads pg_hba.conf on its own time after pg_reload_conf(): wait until it refuses trust. */
    private static void awaitPasswordsRequired(EmbeddedPostgres pg) throws SQLException {
        String url = pg.getJdbcUrl(SUPERUSER, "postgres");
        for (int attempt = 0; attempt < 100; attempt++) {
            // Under trust any password gets in; once passwords count, this one is refused by the server.
            try (Connection c = java.sql.DriverManager.getConnection(url, SUPERUSER, "not-the-password")) {
                Thread.sleep(50);
            } catch (SQLException refused) {
                if ("28P01".equals(refused.getSQLState())) {
                    return;
                }
                throw refused;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the embedded server reloads its settings", e);
            }
        }
        throw new IllegalStateException("the embedded PostgreSQL still accepts connections without a password");
    }

    private static void writeHba(Path pgData, boolean passwords) {
        StringBuilder hba = new StringBuilder("# Written by the hub before every start of its embedded server: ")
                .append(passwords ? "passwords (scram-sha-256)" : "trust, until the hub has set a superuser password")
                .append(".\n# See docs/decisions/0005-database-roles.md; edits here are replaced.\n");
        for (String host : HBA_HOSTS) {
            hba.append(host).append(" ").append(passwords ? "scram-sha-256" : "trust").append('\n');
        }
        try {
            Files.writeString(pgData.resolve("pg_hba.conf"), hba);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + pgData.resolve("pg_hba.conf"), e);
        }
    }
}
