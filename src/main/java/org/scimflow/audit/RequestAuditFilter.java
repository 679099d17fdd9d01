package org.scimflow.audit;

import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.regex.Pattern;
import org.scimflow.config.HttpRequestMetrics;
import org.scimflow.security.ApiClient;
import org.scimflow.security.BearerTokenFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The outermost filter: gives every inbound call a correlation id (the caller's {@code X-Request-Id}
 * when it is sane), returns it, and records an access event for every call that no route records
 * itself (rejected by authentication or authorisation, unknown paths, oversize bodies).
 *
 * <p>Those records are written synchronously before the response completes, so they are durable
 * before the process can acknowledge shutdown.
 */
public class RequestAuditFilter extends OncePerRequestFilter {

    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    /** Set by the route layer when a Camel route takes over recording this exchange. */
    public static final String ROUTE_AUDITS = "scimflow.routeAudits";
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");
    private static final Logger log = LoggerFactory.getLogger(RequestAuditFilter.class);

    private final AuditWriter writer;
    private final TimeBasedEpochGenerator ids;
    private final long maxBodyBytes;
    private final HttpRequestMetrics metrics;

    public RequestAuditFilter(AuditWriter writer, TimeBasedEpochGenerator ids, long maxBodyBytes,
                              HttpRequestMetrics metrics) {
        this.writer = writer;
        this.ids = ids;
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
    }

    /** No empty or dot segments, no encoded slash, backslash, dot or percent, no path parameters. */
    static boolean normalForm(String rawPath) {
        if (rawPath.contains("//") || rawPath.contains("/./") || rawPath.contains("/../") || rawPath.endsWith("/.")
                || rawPath.endsWith("/..") || rawPath.indexOf(';') >= 0 || rawPath.indexOf('\\') >= 0) {
            return false;
        }
        String lower = rawPath.toLowerCase(java.util.Locale.ROOT);
        return !(lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e") || lower.contains("%25"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getHeader(REQUEST_ID_HEADER);
        String correlationId = given != null && SAFE_ID.matcher(given).matches() ? given : ids.generate().toString();
        String path = request.getRequestURI();
        RequestContext ctx = new RequestContext(correlationId, Instant.now(), System.nanoTime(), request.getMethod(),
                path, pathWithQuery(request), request.getRemoteAddr(), truncate(request.getHeader("User-Agent"), 512), baseUrl(request), null);
        request.setAttribute(RequestContext.ATTRIBUTE, ctx);
        response.setHeader(REQUEST_ID_HEADER, correlationId);
        MDC.put("correlationId", correlationId);
        boolean async = false;
        try {
            if (!normalForm(path)) {
                // Spring's firewall refuses these too, but with its own body, and a leading '//' got past it
                // into a 500 ("Invalid contextPath"): a path a client wrote wrong gets a SCIM 400 here.
                org.scimflow.scim.ScimErrors.write(response, 400, "invalidSyntax",
                        "The request path is not in normal form (empty or dot segments, encoded slashes or dots, ';')");
                return;
            }
            if (request.getContentLengthLong() > maxBodyBytes) {
                // Refused before anything reads it; the record says so.
                org.scimflow.scim.ScimErrors.write(response, 413, null, "Request body exceeds " + maxBodyBytes + " bytes");
                return;
            }
            chain.doFilter(request, response);
            if (request.isAsyncStarted()) {
                async = true;
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override public void onComplete(AsyncEvent event) { finish(request, response, ctx); }
                    @Override public void onTimeout(AsyncEvent event) { }
                    @Override public void onError(AsyncEvent event) { }
                    @Override public void onStartAsync(AsyncEvent event) { }
                });
            }
        } finally {
            if (!async) {
                finish(request, response, ctx);
            }
            MDC.remove("correlationId");
        }
    }

    private void finish(HttpServletRequest request, HttpServletResponse response, RequestContext ctx) {
        recordIfUnrecorded(request, response);
        metrics.record(ctx.method(), ctx.path(), response.getStatus(), System.nanoTime() - ctx.startNanos());
    }

    private void recordIfUnrecorded(HttpServletRequest request, HttpServletResponse response) {
        if (Boolean.TRUE.equals(request.getAttribute(ROUTE_AUDITS)) || isHealthProbe(request)) {
            return;
        }
        RequestContext ctx = (RequestContext) request.getAttribute(RequestContext.ATTRIBUTE);
        ApiClient client = (ApiClient) request.getAttribute(BearerTokenFilter.CLIENT_ATTRIBUTE);
        int status = response.getStatus();
        String outcome = status == 401 || status == 403 ? AuditEvent.Outcome.DENIED
                : status < 400 ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE;
        try {
            // A call no route handled (rejected before a route, the console's files) changed nothing.
            writer.appendLater(AuditEvent.builder()
                    .eventId(ids.generate())
                    .eventTime(ctx.startTime())
                    .correlationId(ctx.correlationId())
                    .channel(ctx.channel())
                    .action("http.request")
                    .outcome(outcome)
                    .actorType(client == null ? "anonymous" : "client")
                    .actorId(client == null ? null : client.id())
                    .actorIp(ctx.sourceIp())
                    .actorUserAgent(ctx.userAgent())
                    .httpMethod(ctx.method())
                    .httpPath(ctx.target())
                    .httpStatus(status)
                    .error(status >= 400 ? reason(status) : null)
                    .durationMs(ctx.elapsedMs())
                    .build());
        } catch (RuntimeException e) {
            log.error("Could not record access event for {} {}", ctx.method(), ctx.path(), e);
        }
    }

    private static boolean isHealthProbe(HttpServletRequest request) {
        return request.getRequestURI().startsWith("/actuator/health");
    }

    static String pathWithQuery(HttpServletRequest request) {
        String q = request.getQueryString();
        return truncate(q == null ? request.getRequestURI() : request.getRequestURI() + "?" + q, 2048);
    }

    private static String reason(int status) {
        return switch (status) {
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 413 -> "payload too large";
            case 415 -> "unsupported media type";
            default -> "http " + status;
        };
    }

    private static String baseUrl(HttpServletRequest r) {
        StringBuilder sb = new StringBuilder().append(r.getScheme()).append("://").append(r.getServerName());
        int port = r.getServerPort();
        if (!(port == 80 && "http".equals(r.getScheme())) && !(port == 443 && "https".equals(r.getScheme()))) {
            sb.append(':').append(port);
        }
        return sb.toString();
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
