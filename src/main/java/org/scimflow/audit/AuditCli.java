package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.postgresql.ds.PGSimpleDataSource;
import org.scimflow.db.EmbeddedDatabase;
import org.scimflow.db.EmbeddedPostgresConfiguration;

/**
 * {@code java -jar scimflow.jar audit verify [--from SEQ] [--to SEQ] [--checkpoints DIR|kafka]}: checks the
 * audit chain without starting the hub. Exit 0 intact, 1 tampered (each finding printed with its seq and
 * kind), 2 could not check.
 */
public final class AuditCli {

    private final PrintStream out;
    private final PrintStream err;

    public AuditCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new AuditCli(System.out, System.err).run(args));
    }

    public int run(String[] args) {
        if (args.length < 2 || !args[0].equals("audit")) {
            return usage();
        }
        try {
            return switch (args[1]) {
                case "verify" -> verify(args);
                case "verify-export" -> ExportVerifier.cli(args, out, err);
                default -> usage();
            };
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private int usage() {
        err.println("usage: audit verify [--from SEQ] [--to SEQ] [--checkpoints DIR|kafka] [--kafka BROKERS] [--data-dir DIR]");
        err.println("       audit verify-export FILE [--keys DIR]");
        return 2;
    }

    private int verify(String[] args) {
        long from = 1;
        long to = Long.MAX_VALUE;
        String checkpoints = null;
        String brokers = env("SCIMFLOW_KAFKA_BOOTSTRAP_SERVERS", "");
        Path dataDir = Path.of(env("SCIMFLOW_DATA_DIR", "./data"));
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--from" -> from = Long.parseLong(value(args, ++i));
                case "--to" -> to = Long.parseLong(value(args, ++i));
                case "--checkpoints" -> checkpoints = value(args, ++i);
                case "--data-dir" -> dataDir = Path.of(value(args, ++i));
                case "--kafka" -> brokers = value(args, ++i);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ObjectMapper mapper = new ObjectMapper();
        List<Checkpoint> external;
        String source;
        try {
            if ("kafka".equals(checkpoints)) {
                external = fromKafka(mapper, brokers);
                source = "kafka";
            } else {
                Path dir = checkpoints != null ? Path.of(checkpoints) : dataDir.resolve("checkpoints");
                external = CheckpointStore.readFiles(dir, mapper);
                source = "folder " + dir;
            }
        } catch (IOException | RuntimeException e) {
            err.println("could not read checkpoints: " + e.getMessage());
            return 2;
        }
        Path keysDir = Path.of(env("SCIMFLOW_AUDIT_SIGNING_KEYS_DIR", dataDir.resolve("keys").toString()));
        try (Database db = Database.open(dataDir)) {
            AuditVerifier verifier = new AuditVerifier(db.dataSource, SigningKeys.publicOnly(keysDir));
            long t0 = System.nanoTime();
            AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(from, to, external, source));
            double secs = (System.nanoTime() - t0) / 1e9;
            out.printf("checked %d records (seq %d..%d) and %d checkpoints (%d from %s) in %.2f s: %s%n", r.checked(),
                    r.firstSeq(), r.lastSeq(), r.checkpointsChecked(), external.size(), source, secs,
                    r.intact() ? "INTACT" : "TAMPERED");
            for (AuditVerifier.Finding f : r.findings()) {
                out.printf("seq %d %s %s%n", f.seq(), f.kind(), f.detail());
            }
            record(db.dataSource, r, mapper);
            return r.intact() ? 0 : 1;
        } catch (Exception e) {
            err.println("could not check the audit store: " + e.getMessage());
            return 2;
        }
    }

    private void record(DataSource ds, AuditVerifier.Result r, ObjectMapper mapper) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into audit_verification (checked_at, status, checked, first_seq, last_seq, findings, source) "
                        + "values (?, ?, ?, ?, ?, ?::jsonb, 'cli')")) {
            ps.setTimestamp(1, Timestamp.from(r.checkedAt()));
            ps.setString(2, r.status());
            ps.setLong(3, r.checked());
            ps.setLong(4, r.firstSeq());
            ps.setLong(5, r.lastSeq());
            ps.setString(6, mapper.writeValueAsString(r.findings()));
            ps.executeUpdate();
        } catch (Exception e) {
            err.println("note: the result could not be stored: " + e.getMessage());
        }
    }

    private List<Checkpoint> fromKafka(ObjectMapper mapper, String brokers) throws IOException {
        if (brokers.isBlank()) {
            throw new IllegalArgumentException("--checkpoints kafka needs SCIMFLOW_KAFKA_BOOTSTRAP_SERVERS or --kafka");
        }
        String topic = env("SCIMFLOW_AUDIT_CHECKPOINT_TOPIC", "scimflow.audit.checkpoints.v1");
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "scimflow-verify-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<Checkpoint> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    out.add(Checkpoint.fromJson(mapper.readTree(r.value())));
                }
            }
        }
        return out;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    /** The audit database: the configured one, the running hub's embedded one, or the embedded one started here. */
    static final class Database implements AutoCloseable {
        final DataSource dataSource;
        private final EmbeddedPostgres started;

        private Database(DataSource ds, EmbeddedPostgres started) {
            this.dataSource = ds;
            this.started = started;
        }

        static Database open(Path dataDir) throws IOException {
            String url = System.getenv("SPRING_DATASOURCE_URL");
            if (url != null && !url.isBlank()) {
                PGSimpleDataSource ds = new PGSimpleDataSource();
                ds.setUrl(url);
                ds.setUser(env("SPRING_DATASOURCE_USERNAME", null));
                ds.setPassword(env("SPRING_DATASOURCE_PASSWORD", null));
                return new Database(ds, null);
            }
            Path portFile = dataDir.resolve(EmbeddedPostgresConfiguration.PORT_FILE);
            if (Files.isRegularFile(portFile)) {
                PGSimpleDataSource ds = EmbeddedDatabase.superuser(dataDir, Integer.parseInt(Files.readString(portFile).trim()));
                try (Connection c = ds.getConnection()) {
                    return new Database(ds, null);
                } catch (Exception hubGone) {
                    // Stale port file: the hub is not running; start the database ourselves.
                }
            }
            if (!Files.isDirectory(dataDir.resolve("postgres"))) {
                throw new IllegalArgumentException("no audit database in " + dataDir.toAbsolutePath()
                        + " (set SCIMFLOW_DATA_DIR or SPRING_DATASOURCE_URL)");
            }
            EmbeddedPostgres pg = EmbeddedDatabase.builder(dataDir).start();
            return new Database(EmbeddedDatabase.superuser(dataDir, pg.getPort()), pg);
        }

        @Override
        public void close() throws IOException {
            if (started != null) {
                started.close();
            }
        }
    }
}
