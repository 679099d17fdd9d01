import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Load program for the SCIM Users API: creates users, then looks each one up by a userName filter.
 *
 * <pre>
 * java bench/ScimLoad.java --url http://localhost:8080 --token TOKEN \
 *     --creates 20000 --reads 20000 --concurrency 32 --warmup 2000 [--max-seconds 120] [--run ID]
 * </pre>
 *
 * Phases, in order: warmup creates and warmup lookups (not measured), then measured creates, then
 * measured lookups of the users the measured creates made. Each phase stops at its request count or
 * after --max-seconds, whichever comes first. Every request is timed from send to full response body;
 * a non-2xx status or an I/O failure counts as an error. Single file, JDK only.
 */
public final class ScimLoad {

    private static final String SCIM_JSON = "application/scim+json";

    private final HttpClient http;
    private final String baseUrl;
    private final String authorization;
    private final String run;
    private final int concurrency;
    private final long maxNanos;

    private ScimLoad(String baseUrl, String token, String run, int concurrency, int maxSeconds) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = "Bearer " + token;
        this.run = run;
        this.concurrency = concurrency;
        this.maxNanos = TimeUnit.SECONDS.toNanos(maxSeconds);
        // HTTP/1.1 keeps one pooled keep-alive connection per worker, like a typical provisioning client;
        // the default (HTTP/2) would first try an h2c upgrade the hub does not offer.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        String url = require(opt, "url");
        String token = require(opt, "token");
        int creates = intOpt(opt, "creates", 20000);
        int reads = intOpt(opt, "reads", 20000);
        int concurrency = intOpt(opt, "concurrency", 32);
        int warmup = intOpt(opt, "warmup", 2000);
        int maxSeconds = intOpt(opt, "max-seconds", 120);
        // A fresh run id per invocation keeps userNames unique when the same hub is loaded twice.
        String run = opt.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));
        if (concurrency < 1 || creates < 0 || reads < 0 || warmup < 0 || maxSeconds < 1) {
            usage("counts must be >= 0, concurrency and max-seconds >= 1");
        }

        ScimLoad load = new ScimLoad(url, token, run, concurrency, maxSeconds);
        System.out.printf(Locale.ROOT, "url=%s run=%s creates=%d reads=%d concurrency=%d warmup=%d max-seconds=%d%n",
                load.baseUrl, run, creates, reads, concurrency, warmup, maxSeconds);

        // User numbers: 0..warmup-1 for warmup, warmup..warmup+creates-1 for the measured creates.
        Phase warmCreate = load.phase("warmup-create", warmup, i -> load.create(i));
        load.phase("warmup-lookup", Math.min(warmup, warmCreate.succeeded()), i -> load.lookup(warmCreate.okIndex(i)));
        if (warmCreate.errors > 0) {
            System.out.printf("warmup: %d of %d creates failed (first: %s)%n", warmCreate.errors, warmup, warmCreate.firstError);
        }

        Phase create = load.phase("create", creates, i -> load.create(warmup + i));
        // Lookups only ask for users that exist, cycling through them when --reads exceeds the creates.
        int created = create.succeeded();
        Phase lookup = created == 0
                ? Phase.empty("lookup")
                : load.phase("lookup", reads, i -> load.lookup(warmup + create.okIndex(i % created)));

        System.out.println();
        System.out.println(Phase.HEADER);
        System.out.println(create.line());
        System.out.println(lookup.line());
        for (Phase p : new Phase[] {create, lookup}) {
            if (p.errors > 0) {
                System.out.printf("%s errors by status %s, first: %s%n", p.name, p.errorsByStatus, p.firstError);
            }
            if (p.misses.get() > 0) {
                System.out.printf("%s: %d lookups answered 2xx without exactly one match%n", p.name, p.misses.get());
            }
            if (p.completed < p.planned) {
                System.out.printf("%s: stopped by --max-seconds after %d of %d requests%n", p.name, p.completed, p.planned);
            }
        }
    }

    /** One request's result: its HTTP status (-1 for an I/O failure) and whether the answer was as expected. */
    private record Outcome(int status, boolean matched, String detail) { }

    private Outcome create(int n) {
        String body = "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                + "\"userName\":\"" + userName(n) + "\","
                + "\"name\":{\"givenName\":\"B\",\"familyName\":\"N\"},"
                + "\"emails\":[{\"value\":\"b" + n + "@example.com\",\"type\":\"work\",\"primary\":true}],"
                + "\"active\":true}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + "/scim/v2/Users"))
                .header("Content-Type", SCIM_JSON)
                .header("Accept", SCIM_JSON)
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return send(req, null);
    }

    private Outcome lookup(int n) {
        String filter = "userName eq \"" + userName(n) + "\"";
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + "/scim/v2/Users?filter="
                        + URLEncoder.encode(filter, StandardCharsets.UTF_8).replace("+", "%20")))
                .header("Accept", SCIM_JSON)
                .header("Authorization", authorization)
                .GET()
                .build();
        // A lookup that finds nothing is still 2xx; checked separately so a silent miss is visible.
        return send(req, "\"totalResults\":1,");
    }

    private String userName(int n) {
        return "bench-" + run + "-" + n;
    }

    private Outcome send(HttpRequest req, String expected) {
        try {
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            int status = res.statusCode();
            boolean ok = status / 100 == 2;
            boolean matched = !ok || expected == null || res.body().replace(" ", "").contains(expected);
            return new Outcome(status, matched, ok ? null : status + " " + abbreviate(res.body()));
        } catch (IOException e) {
            return new Outcome(-1, true, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, true, e.toString());
        }
    }

    /** Runs {@code count} requests on {@code concurrency} threads, each taking the next index until done or out of time. */
    private Phase phase(String name, int count, IntFunction<Outcome> request) throws InterruptedException {
        Phase p = new Phase(name, count);
        if (count == 0) {
            return p;
        }
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = start + maxNanos;
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        for (int t = 0; t < concurrency; t++) {
            pool.execute(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count && System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    Outcome o = request.apply(i);
                    p.record(i, System.nanoTime() - t0, o);
                }
            });
        }
        pool.shutdown();
        // Workers stop taking work at the deadline; the grace period only covers requests in flight.
        if (!pool.awaitTermination(maxNanos + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS)) {
            pool.shutdownNow();
        }
        p.finish(System.nanoTime() - start);
        System.out.printf(Locale.ROOT, "%s: %d requests, %d errors in %.3f s%n",
                name, p.completed, p.errors, p.nanos / 1e9);
        return p;
    }

    /** Per-phase results. Latencies are kept per request index so percentiles are exact, not bucketed. */
    private static final class Phase {
        static final String HEADER = String.format(Locale.ROOT, "%-8s %9s %7s %9s %10s %8s %8s %8s %8s",
                "phase", "requests", "errors", "seconds", "req/s", "p50_ms", "p90_ms", "p99_ms", "max_ms");

        final String name;
        final int planned;
        final long[] latency;
        final boolean[] ok;
        final AtomicInteger misses = new AtomicInteger();
        final Map<Integer, Integer> errorsByStatus = new TreeMap<>();
        String firstError;
        int completed;
        int errors;
        long nanos;
        int[] okIndices = new int[0];

        Phase(String name, int planned) {
            this.name = name;
            this.planned = planned;
            this.latency = new long[planned];
            this.ok = new boolean[planned];
            Arrays.fill(latency, -1);
        }

        static Phase empty(String name) {
            return new Phase(name, 0);
        }

        void record(int i, long nanos, Outcome o) {
            latency[i] = nanos;
            ok[i] = o.status() / 100 == 2;
            if (!o.matched()) {
                misses.incrementAndGet();
            }
            if (!ok[i]) {
                synchronized (this) {
                    errorsByStatus.merge(o.status(), 1, Integer::sum);
                    if (firstError == null) {
                        firstError = o.detail();
                    }
                }
            }
        }

        void finish(long elapsed) {
            nanos = elapsed;
            completed = (int) Arrays.stream(latency).filter(l -> l >= 0).count();
            okIndices = IntStream.range(0, planned).filter(i -> ok[i]).toArray();
            errors = completed - okIndices.length;
        }

        int succeeded() {
            return okIndices.length;
        }

        /** The request index of the i-th successful request. */
        int okIndex(int i) {
            return okIndices[i];
        }

        String line() {
            long[] done = Arrays.stream(latency).filter(l -> l >= 0).sorted().toArray();
            double seconds = nanos / 1e9;
            return String.format(Locale.ROOT, "%-8s %9d %7d %9.3f %10.1f %8.2f %8.2f %8.2f %8.2f",
                    name, completed, errors, seconds, seconds > 0 ? completed / seconds : 0.0,
                    ms(percentile(done, 50)), ms(percentile(done, 90)), ms(percentile(done, 99)),
                    ms(done.length == 0 ? 0 : done[done.length - 1]));
        }

        /** Nearest-rank percentile: the smallest value with at least p% of the samples at or below it. */
        private static long percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            return sorted[Math.max(0, rank - 1)];
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    private static String abbreviate(String s) {
        String oneLine = s == null ? "" : s.replaceAll("\\s+", " ");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                usage(null);
            }
            if (!a.startsWith("--")) {
                usage("unexpected argument " + a);
            }
            int eq = a.indexOf('=');
            if (eq > 0) {
                opt.put(a.substring(2, eq), a.substring(eq + 1));
            } else if (i + 1 < args.length) {
                opt.put(a.substring(2), args[++i]);
            } else {
                usage("missing value for " + a);
            }
        }
        return opt;
    }

    private static String require(Map<String, String> opt, String key) {
        String v = opt.get(key);
        if (v == null || v.isBlank()) {
            usage("--" + key + " is required");
        }
        return v;
    }

    private static int intOpt(Map<String, String> opt, String key, int dflt) {
        String v = opt.get(key);
        try {
            return v == null ? dflt : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            usage("--" + key + " needs a whole number, got " + v);
            return dflt;
        }
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println("ScimLoad: " + problem);
        }
        System.err.println("usage: java bench/ScimLoad.java --url URL --token TOKEN [--creates N] [--reads N]"
                + " [--concurrency N] [--warmup N] [--max-seconds S] [--run ID]");
        System.exit(problem == null ? 0 : 2);
    }
}
