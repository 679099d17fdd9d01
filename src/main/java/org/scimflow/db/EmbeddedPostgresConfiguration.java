package org.scimflow.db;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.scimflow.config.ScimflowProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.flyway.FlywayDataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * Runs a real PostgreSQL server from Maven-shipped binaries when no {@code spring.datasource.url} is set.
 *
 * <p>Two roles, as in production: the superuser owns the schema and runs migrations; the hub runs as
 * {@value #APP_ROLE}, which may only append to the audit tables.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
public class EmbeddedPostgresConfiguration {

    /** Written next to the data while the hub runs, so {@code audit verify} can reach its database. */
    public static final String PORT_FILE = "postgres.port";
    static final String APP_ROLE = "scimflow_app";
    static final String DATABASE = EmbeddedDatabase.DATABASE;
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

    private final String appPassword = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(ScimflowProperties properties) throws IOException, SQLException {
        Path dataDir = properties.getDataDir().toAbsolutePath();
        Path dir = dataDir.resolve("postgres");
        Files.createDirectories(dataDir);
        stopOrphanedServer(dir);
        EmbeddedPostgres.Builder builder = EmbeddedDatabase.builder(dataDir)
                .setServerConfig("max_connections", "120")
                // Stopped by this context (destroyMethod), after everything that uses it: its own JVM
                // shutdown hook would stop it while the hub is still draining requests and audit writes.
                .setRegisterShutdownHook(false);
        Map<String, String> settings = serverSettings(properties.getEmbeddedPostgres().getSettings());
        settings.forEach(builder::setServerConfig);
        EmbeddedPostgres pg = builder.start();
        log.info("Embedded PostgreSQL started on port {} with data in {}, shared_buffers {}", pg.getPort(), dir,
                settings.get("shared_buffers"));
        Path portFile = properties.getDataDir().resolve(PORT_FILE);
        Files.writeString(portFile, String.valueOf(pg.getPort()));
        portFile.toFile().deleteOnExit();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            if (!exists(c, "select 1 from pg_database where datname = ?", DATABASE)) {
                st.execute("create database " + DATABASE);
            }
            if (!exists(c, "select 1 from pg_roles where rolname = ?", APP_ROLE)) {
                st.execute("create role " + APP_ROLE + " login");
            }
            // A fresh password each start: only this process knows it.
            st.execute("alter role " + APP_ROLE + " password '" + appPassword + "'");
        }
        EmbeddedDatabase.requirePasswords(pg, dataDir);
        return pg;
    }

    /**
     * Settings that keep every acknowledged commit, audit records with it, through a crash of the machine.
     * The library starts the server with -F (fsync off), a test-database default; the -c options follow
     * -F on the command line and win. They are applied after the configured settings and cannot be changed.
     */
    static final Map<String, String> DURABILITY = Map.of(
            "fsync", "on", "synchronous_commit", "on", "full_page_writes", "on");

    /** PostgreSQL's own default buffer pool, the least the embedded server gets. */
    static final long MIN_SHARED_BUFFERS_MB = 128;
    /** The most it gets unless configured: the hub's database shares the machine with the hub. */
    static final long MAX_SHARED_BUFFERS_MB = 1024;

    /**
     * The buffer pool when none is configured: a quarter of the machine's memory, the usual advice for a
     * dedicated PostgreSQL, between {@value #MIN_SHARED_BUFFERS_MB} MB and {@value #MAX_SHARED_BUFFERS_MB} MB.
     * At PostgreSQL's 128 MB the directory's and the audit log's tables outgrow the pool within minutes of
     * sustained writes: backends then write out dirty buffers themselves before they can read, and vacuum
     * rereads what the pool could not keep (docs/decisions/0018-embedded-buffer-pool.md).
     */
    static String defaultSharedBuffers(long machineMemoryBytes) {
        long quarterMb = machineMemoryBytes / 4 / (1024 * 1024);
        return Math.max(MIN_SHARED_BUFFERS_MB, Math.min(MAX_SHARED_BUFFERS_MB, quarterMb)) + "MB";
    }

    /** The memory of the machine, or of the container the hub runs in. */
    static long machineMemoryBytes() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
    }

    static Map<String, String> serverSettings(Map<String, String> configured) {
        return serverSettings(configured, machineMemoryBytes());
    }

    /**
     * {@code shared_buffers} sized to the machine ({@link #defaultSharedBuffers}), then the configured
     * settings (names as in postgresql.conf, dashes read as underscores), which may replace it, then
     * {@link #DURABILITY}; a configured value that would weaken it is refused.
     */
    static Map<String, String> serverSettings(Map<String, String> configured, long machineMemoryBytes) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("shared_buffers", defaultSharedBuffers(machineMemoryBytes));
        configured.forEach((key, value) -> {
            // shared-buffers and shared_buffers alike: Spring's relaxed binding keeps dashes in map keys.
            String name = key.replace('-', '_');
            if (!name.matches("[a-z_][a-z0-9_.]*") || value == null || value.isBlank()) {
                throw new IllegalStateException("scimflow.embedded-postgres.settings." + name
                        + " is not a PostgreSQL setting name with a value");
            }
            String required = DURABILITY.get(name);
            if (required != null && !required.equalsIgnoreCase(value.trim())) {
                throw new IllegalStateException("scimflow.embedded-postgres.settings." + name + " must stay "
                        + required + ": without it an acknowledged write and its audit record can be lost");
            }
            out.put(name, value.trim());
        });
        out.putAll(DURABILITY);
        return out;
    }

    /** The schema owner, used by Flyway only. */
    @Bean
    @FlywayDataSource
    DataSource ownerDataSource(EmbeddedPostgres pg, ScimflowProperties properties) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(pg.getJdbcUrl(EmbeddedDatabase.SUPERUSER, DATABASE));
        ds.setUsername(EmbeddedDatabase.SUPERUSER);
        EmbeddedDatabase.superuserPassword(properties.getDataDir().toAbsolutePath()).ifPresent(ds::setPassword);
        ds.setMaximumPoolSize(2);
        ds.setMinimumIdle(0);
        ds.setPoolName("scimflow-owner");
        return ds;
    }

    /** The hub's runtime connections, as the restricted application role. */
    @Bean
    @Primary
    DataSource dataSource(EmbeddedPostgres pg) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(pg.getJdbcUrl(APP_ROLE, DATABASE));
        ds.setUsername(APP_ROLE);
        ds.setPassword(appPassword);
        ds.setMaximumPoolSize(24);
        ds.setConnectionTimeout(10_000);
        ds.setPoolName("scimflow");
        return ds;
    }

    /**
     * A hub killed with SIGKILL leaves its PostgreSQL child running on the data folder. It holds every
     * committed transaction; ask it to shut down cleanly so this start can take the folder over.
     */
    static void stopOrphanedServer(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (RuntimeException e) {
            return;
        }
        var process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        if (process.isEmpty()) {
            return;
        }
        log.warn("Stopping PostgreSQL (pid {}) left running on {} by a hub that did not shut down", pid, dir);
        process.get().destroy();
        try {
            process.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("PostgreSQL pid " + pid + " still holds " + dir, e);
        }
    }

    private static boolean exists(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
