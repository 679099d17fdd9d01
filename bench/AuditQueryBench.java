import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.scimflow.audit.AuditRecordCodec;
import org.scimflow.audit.SigningKeys;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Audit queries at scale: loads N records (default 5,000,000) into a hub's embedded database, then,
 * against the running hub, measures filtered queries (p95), the per-person timeline and an export of
 * 1,000,000 records (time, and the hub's resident memory before and after).
 *
 *   bench/run-audit-query.sh [RECORDS]
 *
 * Phase "load" (hub stopped): java ... AuditQueryBench load DATA_DIR RECORDS
 * Phase "query" (hub running): java ... AuditQueryBench query URL TOKEN HUB_PID DATA_DIR
 */
public class AuditQueryBench {

    public static void main(String[] args) throws Exception {
        if (args[0].equals("load")) {
            load(Path.of(args[1]), Long.parseLong(args[2]));
        } else {
            query(args[1], args[2], Long.parseLong(args[3]), Path.of(args[4]));
        }
    }

    static void load(Path dataDir, long n) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        try (EmbeddedPostgres pg = org.scimflow.db.EmbeddedDatabase.builder(dataDir).start()) {
            var ds = pg.getDatabase("postgres", "scimflow");
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            long t0 = System.nanoTime();
            // The generator starts 30 days back at 2 ms per record; the query phase needs that start.
            Files.writeString(dataDir.resolve("bench-start"),
                    java.time.Instant.now().minus(java.time.Duration.ofDays(30)).toString());
            AuditVerifyBench.load(ds, jdbc, new AuditRecordCodec(mapper),
                    SigningKeys.open(dataDir.resolve("keys"), null), mapper, n);
            System.out.printf("loaded %,d records in %.0f s%n", n, (System.nanoTime() - t0) / 1e9);
        }
    }

    static void query(String url, String token, long hubPid, Path dataDir) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        java.time.Instant start = java.time.Instant.parse(Files.readString(dataDir.resolve("bench-start")).trim())
                .minus(java.time.Duration.ofMinutes(5));
        String[] filters = {
                "subject=u4242", "actor=entra&action=scim.user.create&limit=100", "outcome=denied&limit=100",
                "action=scim.user.read&order=desc&limit=100",
                "from=" + enc(start.plus(java.time.Duration.ofHours(1)).toString())
                        + "&to=" + enc(start.plus(java.time.Duration.ofMinutes(70)).toString()) + "&limit=100",
                "correlationId=does-not-exist", "subject=u77&action=scim.user.create"};
        for (String f : filters) {
            get(http, url + "/audit/v1/events?" + f, token); // warm-up
        }
        List<Double> all = new ArrayList<>();
        for (String f : filters) {
            double[] ms = new double[40];
            for (int i = 0; i < ms.length; i++) {
                long t = System.nanoTime();
                get(http, url + "/audit/v1/events?" + f, token);
                ms[i] = (System.nanoTime() - t) / 1e6;
                all.add(ms[i]);
            }
            Arrays.sort(ms);
            System.out.printf("query %-60s p50 %6.1f ms  p95 %6.1f ms%n", f.length() > 60 ? f.substring(0, 60) : f,
                    ms[ms.length / 2], ms[(int) (ms.length * 0.95)]);
        }
        double[] a = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("filtered queries overall: p95 %.1f ms (bar 50 ms)%n", a[(int) (a.length * 0.95)]);

        double[] tl = new double[20];
        for (int i = 0; i < tl.length; i++) {
            long t = System.nanoTime();
            get(http, url + "/audit/v1/subjects/u" + (1000 + i) + "/timeline", token);
            tl[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(tl);
        System.out.printf("timeline: p50 %.1f ms p95 %.1f ms max %.1f ms (bar 100 ms)%n", tl[tl.length / 2],
                tl[(int) (tl.length * 0.95)], tl[tl.length - 1]);

        long rssBefore = rss(hubPid);
        long t = System.nanoTime();
        long lines = 0;
        long peak = rssBefore;
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url
                        + "/audit/v1/export?format=ndjson&from=" + enc(start.toString())
                        + "&to=" + enc(start.plus(java.time.Duration.ofSeconds(2000 + 300)).toString())))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
        byte[] buf = new byte[1 << 16];
        try (InputStream in = r.body()) {
            int k;
            long seen = 0;
            while ((k = in.read(buf)) > 0) {
                for (int i = 0; i < k; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
                seen += k;
                if (seen > 50_000_000) {
                    peak = Math.max(peak, rss(hubPid));
                    seen = 0;
                }
            }
        }
        double secs = (System.nanoTime() - t) / 1e9;
        System.out.printf("export: %,d lines in %.1f s (bar 15 s for 1,000,000); hub RSS %d MB before, peak %d MB during%n",
                lines, secs, rssBefore >> 20, peak >> 20);
        proofs(http, url, token, hubPid);
    }

    /**
     * Inclusion proofs of three records near the end of the log and three near its start, each in the
     * checkpoint that covers it. No bar; printed with the hub's resident memory, which must not grow with
     * the log. A proof reads the record hashes from the closest checkpoint before its record on.
     */
    static void proofs(HttpClient http, String url, String token, long hubPid) throws Exception {
        JsonNode newest = get(http, url + "/audit/v1/events?order=desc&limit=1000", token).get("events");
        JsonNode oldest = get(http, url + "/audit/v1/events?order=asc&limit=3", token).get("events");
        long rssBefore = rss(hubPid);
        long peak = rssBefore;
        for (String where : new String[] {"near the end", "near the start"}) {
            double[] ms = new double[3];
            long leaves = 0;
            for (int i = 0; i < ms.length; i++) {
                String id = where.endsWith("end") ? newest.get(newest.size() - 1 - i).get("eventId").asText()
                        : oldest.get(i).get("eventId").asText();
                long t = System.nanoTime();
                JsonNode proof = get(http, url + "/audit/v1/events/" + id + "/proof", token);
                ms[i] = (System.nanoTime() - t) / 1e6;
                if (!proof.has("auditPath")) {
                    throw new IllegalStateException("no proof for " + id + ": " + proof);
                }
                leaves = proof.at("/checkpoint/treeSize").asLong();
                peak = Math.max(peak, rss(hubPid));
            }
            Arrays.sort(ms);
            System.out.printf("proof %s: p50 %.0f ms, max %.0f ms (trees of up to %,d records)%n",
                    where, ms[1], ms[2], leaves);
        }
        System.out.printf("proofs: hub RSS %d MB before, peak %d MB%n", rssBefore >> 20, peak >> 20);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static JsonNode get(HttpClient http, String url, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 && r.statusCode() != 404) {
            throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
        }
        return new ObjectMapper().readTree(r.body());
    }

    static long rss(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }
}
