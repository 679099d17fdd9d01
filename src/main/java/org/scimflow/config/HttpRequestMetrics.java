package org.scimflow.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code http.server.requests} timers (method, uri, status, outcome), recorded by the outermost filter
 * ({@link org.scimflow.audit.RequestAuditFilter}) from the start time it already takes.
 *
 * <p>Spring Boot's observation filter is not used: it cannot name the route of a call that Camel's servlet
 * serves (every SCIM call was tagged {@code uri="UNKNOWN"}) and it cost about 8% of the hub's CPU per
 * lookup (docs/decisions/0013). The {@code uri} tag here is the route template, e.g. {@code /scim/v2/Users/{id}}.
 */
public final class HttpRequestMetrics {

    /** Distinct uri templates kept; beyond that a call is tagged {@code OTHER} (a bound on cardinality). */
    static final int MAX_URIS = 200;

    private final MeterRegistry registry;
    private final Map<Key, Timer> timers = new ConcurrentHashMap<>();
    private final java.util.Set<String> uris = ConcurrentHashMap.newKeySet();

    private record Key(String method, String uri, int status) { }

    public HttpRequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(String method, String path, int status, long nanos) {
        timer(method(method), uri(path, status), status).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String method, String uri, int status) {
        Key key = new Key(method, uri, status);
        Timer t = timers.get(key);
        if (t == null) {
            t = timers.computeIfAbsent(key, k -> Timer.builder("http.server.requests")
                    .description("HTTP calls served by the hub")
                    .tag("method", k.method())
                    .tag("uri", k.uri())
                    .tag("status", Integer.toString(k.status()))
                    .tag("outcome", outcome(k.status()))
                    .register(registry));
        }
        return t;
    }

    private String uri(String path, int status) {
        if (status == 404) {
            return "NOT_FOUND";
        }
        String uri = template(path);
        if (!uris.contains(uri)) {
            if (uris.size() >= MAX_URIS) {
                return "OTHER";
            }
            uris.add(uri);
        }
        return uri;
    }

    /**
     * The route template of a path: literal segments kept (resource types, {@code .search}, {@code events},
     * {@code proof}), identifiers replaced by {@code {id}}, the console's files folded into {@code /ui/**}.
     */
    static String template(String path) {
        if (path == null || path.isEmpty() || "/".equals(path)) {
            return "/";
        }
        if (path.equals("/ui") || path.startsWith("/ui/")) {
            return "/ui/**";
        }
        StringBuilder sb = new StringBuilder(path.length());
        int i = 1;
        int segments = 0;
        while (i <= path.length()) {
            int end = path.indexOf('/', i);
            if (end < 0) {
                end = path.length();
            }
            if (end > i) {
                if (++segments > 6) {
                    return sb.append("/**").toString();
                }
                sb.append('/');
                if (literal(path, i, end)) {
                    sb.append(path, i, end);
                } else {
                    sb.append("{id}");
                }
            }
            i = end + 1;
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    /** Words (letters, dashes, a leading dot, a version like {@code v2}) are route literals; anything else is an id. */
    private static boolean literal(String path, int from, int to) {
        int len = to - from;
        if (len > 32) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = path.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c == '-' && i > from)
                    || (c == '.' && i == from)
                    || (c >= '0' && c <= '9' && i == from + 1 && path.charAt(from) == 'v' && len <= 3);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String method(String m) {
        return switch (m) {
            case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS" -> m;
            default -> "OTHER";
        };
    }

    private static String outcome(int status) {
        if (status < 200) {
            return "INFORMATIONAL";
        }
        if (status < 300) {
            return "SUCCESS";
        }
        if (status < 400) {
            return "REDIRECTION";
        }
        return status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR";
    }
}
