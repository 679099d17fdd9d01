package org.scimflow.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The embedded server of a data folder asks for passwords once the hub has set the superuser's, across
 * restarts, and trusts local connections again only when the password file is gone.
 */
class EmbeddedDatabaseTest {

    @Test
    void afterTheFirstStartEveryConnectionNeedsThePassword() throws Exception {
        Path data = Files.createTempDirectory(Path.of(System.getProperty("scimflow.test.tmp", "target")), "embedded-auth-");

        String first;
        try (EmbeddedPostgres pg = EmbeddedDatabase.builder(data).start()) {
            // initdb's trust, until the hub sets a password.
            assertThat(connects(pg, null)).isTrue();
            EmbeddedDatabase.requirePasswords(pg, data);
            Path file = data.resolve(EmbeddedDatabase.PASSWORD_FILE);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            first = EmbeddedDatabase.superuserPassword(data).orElseThrow();
            assertThatThrownBy(() -> connects(pg, null)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("password");
            assertThatThrownBy(() -> connects(pg, "not-" + first)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
            assertThat(connects(pg, first)).isTrue();
            assertThat(Files.readString(data.resolve("postgres/pg_hba.conf"))).contains("scram-sha-256")
                    .doesNotContainPattern("(?m)^[^#].*trust");
        }

        // A restart keeps asking; the library's own start-up check and connections carry the password.
        try (EmbeddedPostgres pg = EmbeddedDatabase.builder(data).start();
             Connection c = pg.getPostgresDatabase().getConnection()) {
            assertThat(c.isValid(5)).isTrue();
            assertThatThrownBy(() -> connects(pg, null)).isInstanceOf(SQLException.class);
            EmbeddedDatabase.requirePasswords(pg, data);
            assertThat(EmbeddedDatabase.superuserPassword(data)).contains(first);
        }

        // Without the file: trust once more, then a new password.
        Files.delete(data.resolve(EmbeddedDatabase.PASSWORD_FILE));
        try (EmbeddedPostgres pg = EmbeddedDatabase.builder(data).start()) {
            assertThat(connects(pg, null)).isTrue();
            EmbeddedDatabase.requirePasswords(pg, data);
            String second = EmbeddedDatabase.superuserPassword(data).orElseThrow();
            assertThat(second).isNotEqualTo(first);
            assertThatThrownBy(() -> connects(pg, first)).isInstanceOf(SQLException.class);
            assertThat(connects(pg, second)).isTrue();
        }
    }

    private static boolean connects(EmbeddedPostgres pg, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl(EmbeddedDatabase.SUPERUSER, "postgres"),
                EmbeddedDatabase.SUPERUSER, password)) {
            return c.isValid(5);
        }
    }
}
