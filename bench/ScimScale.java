import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scale benchmark for the SCIM API: loads a directory (users, groups, one very large group) through
 * POST /Bulk and member PATCHes, then measures four calls through the HTTP API and compares them with
 * the targets.
 *
 * <pre>
 * java bench/ScimScale.java --url http://localhost:18090 --token TOKEN \
 *     [--users 100000] [--groups 1000] [--big-group 50000] [--seconds 30] [--concurrency 16] [--settle 60]
 * java bench/ScimScale.java ... --run ID --measure-only true     # measure again what run ID loaded
 * </pre>
 *
 * Each measurement adds users to the big group; once every user is in it, a measure-only run removes the
 * members beyond the first --big-group (unmeasured, 100 per PATCH) so that the member add is measured on
 * a group of that size again.
 *
 * Measurements, each after a short unmeasured warmup, each a closed loop of --concurrency workers for
 * --seconds (the PATCH one runs one request at a time, as an identity provider pushes one group):
 * <ol>
 *   <li>lookup: GET /Users?filter=userName eq "..." of a random loaded user (must find exactly one);</li>
 *   <li>complex: (userName sw "..." or externalId eq "...") and active eq true;</li>
 *   <li>sorted page: GET /Users?sortBy=userName&amp;count=100 at a random startIndex, first 1,000 users
 *       and anywhere in the directory, reported separately;</li>
 *   <li>member add: PATCH one user into the big group (a user not yet in it, each time).</li>
 * </ol>
 * Every request is timed from send to full body; a non-2xx answer counts as an error. JDK only.
 */
public final class ScimScale {

    private static final String SCIM_JSON = "application/scim+json";
    private static final String USER = "urn:ietf:params:scim:schemas:core:2.0:User";
    private static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    private static final Pattern USER_LOCATION = Pattern.compile("\"location\":\"[^\"]*/Users/([0-9a-f-]{36})\"");
    private static final Pattern GROUP_LOCATION = Pattern.compile("\"location\":\"[^\"]*/Groups/([0-9a-f-]{36})\"");
    private static final Pattern STATUS = Pattern.compile("\"status\":\"(\\d{3})\"");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String auth;
    private final String run;

    private ScimScale(String base, String token, String run) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.auth = "Bearer " + token;
        this.run = run;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        String url = opt.get("url");
        String token = opt.get("token");
        if (url == null || token == null) {
            usage("--url and --token are required");
        }
        if (!URI.create(url).getHost().matches("localhost|127\\.0\\.0\\.1|\\[::1\\]")) {
            usage("only a hub on this machine (localhost) is measured");
        }
        int users = intOpt(opt, "users", 100_000);
        int groups = intOpt(opt, "groups", 1000);
        int big = intOpt(opt, "big-group", 50_000);
        int seconds = intOpt(opt, "seconds", 30);
        int concurrency = intOpt(opt, "concurrency", 16);
        int settle = intOpt(opt, "settle", 60);
        String run = opt.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));
        if (big > users || users < 1000 || groups < 2) {
            usage("need users >= 1000, groups >= 2, big-group <= users");
        }
        ScimScale s = new ScimScale(url, token, run);
        System.out.printf(Locale.ROOT, "url=%s run=%s users=%d groups=%d big-group=%d seconds=%d concurrency=%d%n",
                s.base, run, users, groups, big, seconds, concurrency);

        String[] userIds;
        String[] groupIds;
        if (opt.containsKey("run") && opt.containsKey("measure-only")) {
            // A directory this program loaded before, under --run: find its ids instead of loading again.
            userIds = s.findUsers(users);
            groupIds = new String[] {s.findBigGroup()};
            settle = 0;
        } else {
            long t0 = System.nanoTime();
            userIds = s.loadUsers(users);
            long t1 = System.nanoTime();
            groupIds = s.loadGroups(groups);
            s.fillBigGroup(groupIds[0], userIds, big);
            s.fillOtherGroups(groupIds, userIds, big);
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "load: %d users in %.1f s (%.0f/s), %d groups and %d memberships in %.1f s%n",
                    users, (t1 - t0) / 1e9, users / ((t1 - t0) / 1e9), groups, big + (long) (groups - 1) * 50,
                    (t2 - t1) / 1e9);
        }
        if (settle > 0) {
            // Autovacuum analyses the freshly loaded tables within its naptime (60 s by default).
            System.out.printf("settle: waiting %d s for the database to analyse the loaded tables%n", settle);
            Thread.sleep(settle * 1000L);
        }

        String prefix = "scale-" + run + "-";
        List<Result> results = new ArrayList<>();
        results.add(s.measure("lookup userName eq", concurrency, seconds, i -> {
            int n = ThreadLocalRandom.current().nextInt(users);
            return s.get("/scim/v2/Users?filter=" + q("userName eq \"" + prefix + n + "@example.com\""),
                    "\"totalResults\":1,");
        }));
        results.add(s.measure("complex and/or filter", concurrency, seconds, i -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            String f = "(userName sw \"" + prefix + (1000 + r.nextInt(9000)) + "\" or externalId eq \"ext-" + run + "-"
                    + r.nextInt(users) + "\") and active eq true";
            return s.get("/scim/v2/Users?filter=" + q(f), null);
        }));
        results.add(s.measure("sorted page, first 1000", concurrency, seconds, i -> s.get(
                "/scim/v2/Users?sortBy=userName&count=100&startIndex=" + (1 + ThreadLocalRandom.current().nextInt(901)),
                "\"itemsPerPage\":100,")));
        results.add(s.measure("sorted page, anywhere", concurrency, seconds, i -> s.get(
                "/scim/v2/Users?sortBy=userName&count=100&startIndex=" + (1 + ThreadLocalRandom.current().nextInt(users - 99)),
                "\"itemsPerPage\":100,")));
        // Users not yet in the big group; a measure-only rerun starts after those earlier runs added.
        int firstJoiner = s.firstOutside(groupIds[0], userIds, big);
        if (firstJoiner > users - 10_000) {
            s.shrinkBigGroup(groupIds[0], userIds, big, firstJoiner);
            firstJoiner = s.firstOutside(groupIds[0], userIds, big);
        }
        AtomicInteger nextJoiner = new AtomicInteger(firstJoiner);
        results.add(s.measure("PATCH 1 member, big group", 1, seconds, i -> {
            int n = nextJoiner.getAndIncrement();
            if (n >= users) {
                return new Outcome(-2, "no users left outside the big group");
            }
            return s.send("PATCH", "/scim/v2/Groups/" + groupIds[0], "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                    + "\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + userIds[n] + "\"}]}]}", null);
        }));

        System.out.println();
        System.out.println(Result.HEADER);
        results.forEach(r -> System.out.println(r.line()));
        System.out.println();
        System.out.println("target                                      measured        verdict");
        Result lookup = results.get(0);
        verdict("lookup p99 < 10 ms", lookup, lookup.p(99), 10, true);
        verdict("lookup >= 3000 requests/s", lookup, lookup.rate(), 3000, false);
        verdict("complex filter p99 < 50 ms", results.get(1), results.get(1).p(99), 50, true);
        verdict("sorted page of 100 p99 < 30 ms (first 1000)", results.get(2), results.get(2).p(99), 30, true);
        verdict("sorted page of 100 p99 < 30 ms (anywhere)", results.get(3), results.get(3).p(99), 30, true);
        verdict("PATCH member into 50k group p99 < 20 ms", results.get(4), results.get(4).p(99), 20, true);
        for (Result r : results) {
            if (r.errors.get() > 0) {
                System.out.printf("%s: %d errors, first: %s%n", r.name, r.errors.get(), r.firstError);
            }
        }
    }

    /** A measurement without samples (or with errors) proves nothing, so it never counts as met. */
    private static void verdict(String what, Result r, double value, double bar, boolean below) {
        boolean ok = below ? value < bar : value >= bar;
        String verdict = r.count() == 0 ? "NO DATA" : r.errors.get() > 0 ? "NOT MET (errors)" : ok ? "met" : "NOT MET";
        System.out.printf(Locale.ROOT, "%-43s %10.2f %-4s %s%n", what, value, below ? "ms" : "/s", verdict);
    }

    // ---- load phase ----

    private String[] loadUsers(int count) throws Exception {
        String[] ids = new String[count];
        int batch = 1000;
        List<Future<?>> work = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        AtomicInteger done = new AtomicInteger();
        for (int from = 0; from < count; from += batch) {
            int start = from;
            int end = Math.min(count, from + batch);
            work.add(pool.submit(() -> {
                StringBuilder ops = new StringBuilder();
                for (int i = start; i < end; i++) {
                    ops.append(i == start ? "" : ",").append("{\"method\":\"POST\",\"bulkId\":\"u").append(i)
                            .append("\",\"path\":\"/Users\",\"data\":").append(user(i)).append('}');
                }
                String body = bulkBody(ops);
                Outcome o = send("POST", "/scim/v2/Bulk", body, null);
                List<String> found = all(USER_LOCATION, o.body());
                if (o.status() != 200 || found.size() != end - start) {
                    throw new IllegalStateException("user batch " + start + " failed: " + o.status() + " "
                            + abbreviate(o.body()));
                }
                for (int i = start; i < end; i++) {
                    ids[i] = found.get(i - start);
                }
                int d = done.addAndGet(end - start);
                if (d % 10_000 == 0) {
                    System.out.printf("load: %d users%n", d);
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            // On a failed batch too: the pool's threads would otherwise keep the program running.
            pool.shutdownNow();
        }
        return ids;
    }

    /** The ids of users 0..count-1 of an earlier load, read a thousand at a time. */
    private String[] findUsers(int count) {
        String[] ids = new String[count];
        Pattern p = Pattern.compile("\"id\":\"([0-9a-f-]{36})\",\"userName\":\"scale-" + Pattern.quote(run)
                + "-(\\d+)@example.com\"");
        int found = 0;
        for (int start = 1; ; start += 1000) {
            Outcome o = send("GET", "/scim/v2/Users?attributes=userName&count=1000&startIndex=" + start
                    + "&filter=" + q("userName sw \"scale-" + run + "-\""), null, null);
            Matcher m = p.matcher(o.body());
            int page = 0;
            while (m.find()) {
                int n = Integer.parseInt(m.group(2));
                if (n < count) {
                    ids[n] = m.group(1);
                    found++;
                }
                page++;
            }
            if (page < 1000) {
                break;
            }
        }
        if (found != count) {
            throw new IllegalStateException("run " + run + " has " + found + " of " + count + " users");
        }
        return ids;
    }

    private String findBigGroup() {
        Outcome o = send("GET", "/scim/v2/Groups?excludedAttributes=members&filter="
                + q("displayName eq \"scale-" + run + " group 0\""), null, null);
        List<String> ids = all(Pattern.compile("\"id\":\"([0-9a-f-]{36})\""), o.body());
        if (ids.size() != 1) {
            throw new IllegalStateException("big group of run " + run + " not found: " + abbreviate(o.body()));
        }
        return ids.get(0);
    }

    /** Removes members {@code from} .. {@code to - 1} (added by earlier measurements) from the big group. */
    private void shrinkBigGroup(String group, String[] users, int from, int to) {
        long t0 = System.nanoTime();
        for (int start = from; start < to; start += 100) {
            StringBuilder ops = new StringBuilder();
            for (int i = start; i < Math.min(to, start + 100); i++) {
                ops.append(ops.length() == 0 ? "" : ",").append("{\"op\":\"remove\",\"path\":\"members[value eq \\\"")
                        .append(users[i]).append("\\\"]\"}");
            }
            Outcome o = send("PATCH", "/scim/v2/Groups/" + group, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                    + "\"Operations\":[" + ops + "]}", null);
            if (o.status() / 100 != 2) {
                throw new IllegalStateException("removing members from the big group: " + o.status() + " " + o.body());
            }
        }
        System.out.printf(Locale.ROOT, "big group: removed the %d members beyond the first %d in %.1f s (not measured)%n",
                to - from, from, (System.nanoTime() - t0) / 1e9);
    }

    /** The first user from {@code from} on who is not in the group yet (earlier runs added some). */
    private int firstOutside(String group, String[] users, int from) {
        int lo = from;
        int hi = users.length;
        // Joiners were added in order, so membership is a prefix: binary search its end.
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            Outcome o = send("GET", "/scim/v2/Groups?count=0&filter=" + q("id eq \"" + group
                    + "\" and members[value eq \"" + users[mid] + "\"]"), null, null);
            if (o.body().contains("\"totalResults\":1")) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private String user(int i) {
        return "{\"schemas\":[\"" + USER + "\",\"" + ENTERPRISE + "\"],\"userName\":\"scale-" + run + "-" + i
                + "@example.com\",\"externalId\":\"ext-" + run + "-" + i + "\",\"displayName\":\"User " + i + "\","
                + "\"name\":{\"givenName\":\"Given" + i + "\",\"familyName\":\"Family" + (i % 997) + "\"},"
                + "\"emails\":[{\"value\":\"scale-" + run + "-" + i + "@example.com\",\"type\":\"work\",\"primary\":true}],"
                + "\"active\":" + (i % 10 != 0) + ",\"title\":\"Title " + (i % 50) + "\",\"" + ENTERPRISE
                + "\":{\"department\":\"Dept " + (i % 20) + "\",\"employeeNumber\":\"" + i + "\"}}";
    }

    private String[] loadGroups(int count) {
        String[] ids = new String[count];
        for (int from = 0; from < count; from += 1000) {
            int end = Math.min(count, from + 1000);
            StringBuilder ops = new StringBuilder();
            for (int g = from; g < end; g++) {
                ops.append(g == from ? "" : ",").append("{\"method\":\"POST\",\"bulkId\":\"g").append(g)
                        .append("\",\"path\":\"/Groups\",\"data\":{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],")
                        .append("\"displayName\":\"scale-").append(run).append(" group ").append(g).append("\"}}");
            }
            Outcome o = send("POST", "/scim/v2/Bulk", bulkBody(ops), null);
            List<String> found = all(GROUP_LOCATION, o.body());
            if (found.size() != end - from) {
                throw new IllegalStateException("group batch failed: " + o.status() + " " + abbreviate(o.body()));
            }
            for (int g = from; g < end; g++) {
                ids[g] = found.get(g - from);
            }
        }
        return ids;
    }

    /** Users 0..big-1 join the first group, a thousand per PATCH. */
    private void fillBigGroup(String group, String[] users, int big) {
        for (int from = 0; from < big; from += 1000) {
            StringBuilder v = new StringBuilder();
            for (int i = from; i < Math.min(big, from + 1000); i++) {
                v.append(i == from ? "" : ",").append("{\"value\":\"").append(users[i]).append("\"}");
            }
            Outcome o = send("PATCH", "/scim/v2/Groups/" + group, patchAdd(v), null);
            if (o.status() / 100 != 2) {
                throw new IllegalStateException("big group PATCH failed: " + o.status() + " " + abbreviate(o.body()));
            }
        }
    }

    /** Every other group gets 50 users, through bulk PATCH operations. */
    private void fillOtherGroups(String[] groups, String[] users, int big) {
        StringBuilder ops = new StringBuilder();
        int inBatch = 0;
        for (int g = 1; g < groups.length; g++) {
            StringBuilder v = new StringBuilder();
            for (int k = 0; k < 50; k++) {
                int u = (g * 50 + k) % users.length;
                v.append(k == 0 ? "" : ",").append("{\"value\":\"").append(users[u]).append("\"}");
            }
            ops.append(inBatch == 0 ? "" : ",").append("{\"method\":\"PATCH\",\"path\":\"/Groups/").append(groups[g])
                    .append("\",\"data\":").append(patchAdd(v)).append('}');
            if (++inBatch == 200 || g == groups.length - 1) {
                Outcome o = send("POST", "/scim/v2/Bulk", bulkBody(ops), null);
                Matcher m = STATUS.matcher(o.body());
                while (m.find()) {
                    if (!m.group(1).startsWith("2")) {
                        throw new IllegalStateException("group membership bulk failed: " + abbreviate(o.body()));
                    }
                }
                ops.setLength(0);
                inBatch = 0;
            }
        }
    }

    private static String patchAdd(CharSequence values) {
        return "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":\"add\","
                + "\"path\":\"members\",\"value\":[" + values + "]}]}";
    }

    private static String bulkBody(CharSequence ops) {
        return "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[" + ops + "]}";
    }

    // ---- measurement ----

    /** One request's answer: status (-1 for an I/O failure, -2 when the benchmark ran out of inputs) and body. */
    private record Outcome(int status, String body) { }

    private Outcome get(String path, String expected) {
        Outcome o = send("GET", path, null, null);
        if (o.status() == 200 && expected != null && !o.body().replace(" ", "").contains(expected)) {
            return new Outcome(-3, "unexpected answer: " + abbreviate(o.body()));
        }
        return o;
    }

    private Outcome send(String method, String path, String body, String ignored) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", auth).header("Accept", SCIM_JSON);
        if (body != null) {
            b.header("Content-Type", SCIM_JSON);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Outcome(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Outcome(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, e.toString());
        }
    }

    private Result measure(String name, int concurrency, int seconds, IntFunction<Outcome> request) throws Exception {
        // Warmup: a tenth of the time, at least two seconds, not recorded.
        loop(new Result(name + " (warmup)"), concurrency, Math.max(2, seconds / 10), request);
        Result r = new Result(name);
        loop(r, concurrency, seconds, request);
        System.out.printf(Locale.ROOT, "%s: %d requests, %d errors in %.1f s%n", name, r.count(), r.errors.get(), r.nanos / 1e9);
        return r;
    }

    private static void loop(Result r, int concurrency, int seconds, IntFunction<Outcome> request) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicInteger seq = new AtomicInteger();
        for (int t = 0; t < concurrency; t++) {
            pool.execute(() -> {
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    Outcome o = request.apply(seq.getAndIncrement());
                    if (o.status() == -2) {
                        break;
                    }
                    r.record(System.nanoTime() - t0, o);
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 120L, TimeUnit.SECONDS);
        r.nanos = System.nanoTime() - start;
    }

    /** Latencies of one measurement, kept whole so percentiles are exact. */
    private static final class Result {
        static final String HEADER = String.format(Locale.ROOT, "%-28s %8s %6s %9s %8s %8s %8s %8s",
                "measurement", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms");
        final String name;
        final List<long[]> chunks = new ArrayList<>();
        final AtomicLong errors = new AtomicLong();
        volatile String firstError;
        long nanos;
        private long[] sorted;

        Result(String name) {
            this.name = name;
        }

        synchronized void record(long latency, Outcome o) {
            if (chunks.isEmpty() || chunks.get(chunks.size() - 1)[0] == 4095) {
                chunks.add(new long[4096]);
            }
            long[] c = chunks.get(chunks.size() - 1);
            c[(int) ++c[0]] = latency;
            if (o.status() / 100 != 2) {
                errors.incrementAndGet();
                if (firstError == null) {
                    firstError = o.status() + " " + abbreviate(o.body());
                }
            }
            sorted = null;
        }

        synchronized long count() {
            return chunks.stream().mapToLong(c -> c[0]).sum();
        }

        synchronized double p(double percentile) {
            if (sorted == null) {
                sorted = chunks.stream().flatMapToLong(c -> Arrays.stream(c, 1, (int) c[0] + 1)).sorted().toArray();
            }
            if (sorted.length == 0) {
                return 0;
            }
            // Nearest rank: the smallest sample with at least p% of the samples at or below it.
            int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
            return sorted[Math.max(0, rank - 1)] / 1e6;
        }

        double rate() {
            return nanos == 0 ? 0 : count() / (nanos / 1e9);
        }

        String line() {
            return String.format(Locale.ROOT, "%-28s %8d %6d %9.1f %8.2f %8.2f %8.2f %8.2f", name, count(), errors.get(),
                    rate(), p(50), p(90), p(99), p(100));
        }
    }

    // ---- small helpers ----

    private static List<String> all(Pattern p, String s) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String s) {
        String one = s == null ? "" : s.replaceAll("\\s+", " ");
        return one.length() <= 300 ? one : one.substring(0, 300) + "...";
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
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
        System.err.println("ScimScale: " + problem);
        System.err.println("usage: java bench/ScimScale.java --url http://localhost:PORT --token TOKEN [--users N]"
                + " [--groups N] [--big-group N] [--seconds S] [--concurrency N] [--settle S] [--run ID"
                + " [--measure-only true]]");
        System.exit(2);
    }
}
