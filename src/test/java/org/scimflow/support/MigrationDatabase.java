package org.scimflow.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A PostgreSQL of its own for a test that migrates the schema step by step (to an older version, data in,
 * then on to the newest), as an existing install upgrades. The runtime role the migrations grant to exists.
 */
public final class MigrationDatabase implements AutoCloseable {

    private final EmbeddedPostgres pg;
    private final DataSource ds;
    private final JdbcTemplate db;

    private MigrationDatabase(EmbeddedPostgres pg) {
        this.pg = pg;
        this.ds = pg.getPostgresDatabase();
        this.db = new JdbcTemplate(ds);
    }

    public static MigrationDatabase start(String name) throws IOException {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("scimflow.test.tmp", "target")), name + "-");
        MigrationDatabase m = new MigrationDatabase(
                EmbeddedPostgres.builder().setDataDirectory(dir.resolve("postgres")).setCleanDataDirectory(true).start());
        m.db.execute("create role scimflow_app login");
        return m;
    }

    public DataSource dataSource() {
        return ds;
    }

    public JdbcTemplate jdbc() {
        return db;
    }

    /** Migrates up to {@code version}, or to the newest when it is null. */
    public void migrateTo(String version) {
        var c = Flyway.configure().dataSource(ds).locations("classpath:db/migration")
                .placeholders(Map.of("appRole", "scimflow_app"));
        if (version != null) {
            c.target(version);
        }
        c.load().migrate();
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }
}
