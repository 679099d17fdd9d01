import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedOutputStream;
import java.io.BufferedInputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.scimflow.audit.AuditEvent;
import org.scimflow.audit.AuditRecordCodec;
import org.scimflow.audit.AuditVerifier;
import org.scimflow.audit.Checkpoint;
import org.scimflow.audit.CheckpointStore;
import org.scimflow.audit.ExportManifest;
import org.scimflow.audit.ExportVerifier;
import org.scimflow.audit.MerkleTree;
import org.scimflow.audit.SigningKeys;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Audit verification speed: builds a real chain of N records (valid hashes, a signed checkpoint every
 * 1,000 records) in an embedded PostgreSQL, then times the database verifier and the offline export
 * verifier over it. Prints records/s for both against the bar of 300,000 records/s.
 *
 * Run: bench/run-audit-verify.sh [RECORDS]   (compiles against target/classes and the Maven classpath)
 */
public class AuditVerifyBench {

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("scimflow-verify-bench");
        ObjectMapper mapper = new ObjectMapper();
        AuditRecordCodec codec = new AuditRecordCodec(mapper);
        SigningKeys keys = SigningKeys.open(dir.resolve("keys"), null);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).start()) {
            DataSource ds = pg.getPostgresDatabase();
            Flyway.configure().dataSource(ds).placeholders(java.util.Map.of("appRole", "scimflow_app")).load().migrate();
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            long t0 = System.nanoTime();
            load(ds, jdbc, codec, keys, mapper, n);
            System.out.printf("loaded %,d records with %,d signed checkpoints in %.1f s%n", n, n / 1000,
                    (System.nanoTime() - t0) / 1e9);

            AuditVerifier verifier = new AuditVerifier(ds, keys);
            verifier.verify(new AuditVerifier.Options(1, Math.min(n, 50_000), java.util.List.of(), null)); // warm-up
            t0 = System.nanoTime();
            AuditVerifier.Result r = verifier.verify();
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("database verification: %,d records, %d checkpoints, %s, %.2f s = %,.0f records/s (bar 300,000)%n",
                    r.checked(), r.checkpointsChecked(), r.intact() ? "intact" : "TAMPERED " + r.findings(), secs,
                    r.checked() / secs);

            // The floor: PostgreSQL streaming the same rows with nothing done to them.
            t0 = System.nanoTime();
            long raw = copyOnly(ds);
            secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("COPY alone (rows streamed, nothing checked): %,d rows, %.2f s = %,.0f rows/s%n", raw, secs,
                    raw / secs);
            t0 = System.nanoTime();
            raw = copyOnly(ds, "select * from audit_event order by seq", "format binary");
            secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("binary COPY alone: %,d rows, %.2f s = %,.0f rows/s%n", raw, secs, raw / secs);
            t0 = System.nanoTime();
            raw = copyOnly(ds, "select seq, record_hash from audit_event order by seq", "format binary");
            secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("binary COPY of seq, record_hash: %,d rows, %.2f s = %,.0f rows/s%n", raw, secs, raw / secs);

            Path export = dir.resolve("export.ndjson");
            t0 = System.nanoTime();
            export(jdbc, codec, keys, mapper, export);
            System.out.printf("export written: %,d bytes in %.1f s%n", Files.size(export), (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            ExportVerifier.Result er;
            try (var in = new BufferedInputStream(Files.newInputStream(export), 1 << 16)) {
                er = new ExportVerifier(keys).verify(in);
            }
            secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("offline export verification: %,d records, %s, %.2f s = %,.0f records/s (bar: at least the database rate)%n",
                    er.records(), er.intact() ? "intact" : "TAMPERED " + er.findings(), secs, er.records() / secs);
        }
    }

    static long copyOnly(DataSource ds) throws Exception {
        return copyOnly(ds, "select * from audit_event order by seq", "format text");
    }

    static long copyOnly(DataSource ds, String query, String with) throws Exception {
        try (Connection c = ds.getConnection(); var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("set local timezone = 'UTC'");
            var copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut("copy (" + query + ") to stdout with (" + with + ")");
            long n = 0;
            while (copy.readFromCopy() != null) {
                n++;
            }
            c.commit();
            return n;
        }
    }

    /** A realistic mix: SCIM creates with changes, reads, denied calls; chained and COPYed in. */
    static void load(DataSource ds, JdbcTemplate jdbc, AuditRecordCodec codec, SigningKeys keys, ObjectMapper mapper,
                     long n) throws Exception {
        byte[] prev = new byte[32];
        MerkleTree.CompactRange range = new MerkleTree.CompactRange();
        CheckpointStore checkpoints = new CheckpointStore(jdbc, mapper);
        checkpoints.registerKey(keys.activeKeyId(), keys.publicKeys().get(keys.activeKeyId()).getEncoded());
        Instant t = Instant.now().minus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MICROS);
        // The months the records fall in get their partitions first (the hub creates only the current and
        // coming ones); rows left in the DEFAULT partition would be moved out, all at once, at hub start.
        jdbc.queryForList("select audit_create_partition(m::date) from generate_series(date_trunc('month', ?::timestamptz), "
                + "date_trunc('month', now()), interval '1 month') m", String.class, java.sql.Timestamp.from(t));
        HexFormat hex = HexFormat.of();
        try (Connection c = ds.getConnection()) {
            PGConnection pgc = c.unwrap(PGConnection.class);
            StringBuilder batch = new StringBuilder(1 << 20);
            for (long seq = 1; seq <= n; seq++) {
                t = t.plus(2, ChronoUnit.MILLIS);
                String user = "u" + (seq % 100_000);
                int kind = (int) (seq % 10);
                AuditEvent.Builder b = AuditEvent.builder().eventId(UUID.randomUUID()).eventTime(t).recordedTime(t)
                        .correlationId(UUID.randomUUID().toString()).channel("scim-in").actorType("client").actorId("entra")
                        .actorIp("10.0.0." + (seq % 250)).actorUserAgent("Microsoft.Identity.Provisioning").httpMethod("GET")
                        .httpPath("/scim/v2/Users/" + user).durationMs(3);
                if (kind < 3) {
                    b.action("scim.user.create").outcome("success").httpMethod("POST").httpStatus(201).subjectType("User")
                            .subjectId(user).subjectName(user + "@example.com").changes(mapper.readTree(
                                    "[{\"path\":\"userName\",\"new\":\"" + user + "@example.com\"},{\"path\":\"active\",\"new\":true},"
                                            + "{\"path\":\"name.givenName\",\"new\":\"Given\"},{\"path\":\"password\",\"new\":\"[REDACTED]\"}]"));
                } else if (kind < 9) {
                    b.action("scim.user.read").outcome("success").httpStatus(200).subjectType("User").subjectId(user);
                } else {
                    b.action("http.request").outcome("denied").httpStatus(401).actorType("anonymous").actorId(null);
                }
                AuditEvent e = b.build();
                byte[] h = AuditRecordCodec.chainHash(prev, seq, codec.contentHash(e));
                row(batch, codec.toColumns(e), seq, prev, h, mapper, hex);
                prev = h;
                range.append(h);
                if (seq % 1000 == 0 || seq == n) {
                    pgc.getCopyAPI().copyIn("copy audit_event (seq, event_id, schema_version, event_time, recorded_time, "
                            + "correlation_id, channel, action, outcome, actor_type, actor_id, actor_ip, actor_user_agent, "
                            + "subject_type, subject_id, subject_name, http_method, http_path, http_status, duration_ms, "
                            + "changes, prev_hash, record_hash, chain_time) from stdin", new StringReader(batch.toString()));
                    batch.setLength(0);
                    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    byte[] payload = Checkpoint.payload(seq, range.root(), h, at).getBytes(StandardCharsets.UTF_8);
                    checkpoints.insert(new Checkpoint(seq, range.root(), h, at, keys.activeKeyId(), keys.sign(payload)),
                            range.encode());
                }
            }
        }
        jdbc.update("update audit_chain_head set seq = ?, head_hash = ?, chain_time = (select max(chain_time) from audit_event)",
                n, prev);
        jdbc.execute("vacuum analyze audit_event");
    }

    static void row(StringBuilder sb, java.util.Map<String, Object> cols, long seq, byte[] prev, byte[] h,
                    ObjectMapper mapper, HexFormat hex) throws Exception {
        String[] names = {"event_id", "schema_version", "event_time", "recorded_time", "correlation_id", "channel",
                "action", "outcome", "actor_type", "actor_id", "actor_ip", "actor_user_agent", "subject_type",
                "subject_id", "subject_name", "http_method", "http_path", "http_status", "duration_ms", "changes"};
        sb.append(seq);
        for (String name : names) {
            Object v = cols.get(name);
            sb.append('\t');
            if (v == null) {
                sb.append("\\N");
            } else {
                String s = v instanceof com.fasterxml.jackson.databind.JsonNode j ? mapper.writeValueAsString(j) : v.toString();
                sb.append(s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n"));
            }
        }
        // chain_time (storage only, not hashed): the recorded time, which increases along seq here.
        sb.append("\t\\\\x").append(hex.formatHex(prev)).append("\t\\\\x").append(hex.formatHex(h))
                .append('\t').append(cols.get("recorded_time")).append('\n');
    }

    static void export(JdbcTemplate jdbc, AuditRecordCodec codec, SigningKeys keys, ObjectMapper mapper, Path file)
            throws Exception {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        long[] count = {0};
        long[] last = {0};
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            JdbcTemplate streaming = new JdbcTemplate(jdbc.getDataSource());
            streaming.setFetchSize(5000);
            new org.springframework.transaction.support.TransactionTemplate(
                    new org.springframework.jdbc.datasource.DataSourceTransactionManager(jdbc.getDataSource()))
                    .executeWithoutResult(s -> streaming.query("select * from audit_event order by seq", rs -> {
                        try {
                            byte[] line = codec.exportLine(codec.fromRow(rs)); // as GET /audit/v1/export writes it
                            digest.update(line);
                            os.write(line);
                            count[0]++;
                            last[0] = rs.getLong("seq");
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }));
            Checkpoint cp = new CheckpointStore(jdbc, mapper).latest().orElseThrow();
            ObjectNode manifest = ExportManifest.build(mapper, "ndjson", mapper.createObjectNode(), count[0], 1L, last[0],
                    digest.digest(), cp, keys);
            os.write((mapper.writeValueAsString(manifest) + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }
}
