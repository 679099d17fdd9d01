package org.scimflow.audit;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.http.common.HttpMessage;
import org.scimflow.security.ApiClient;
import org.scimflow.security.BearerTokenFilter;
import org.springframework.stereotype.Component;

/**
 * The audit side of every API route: {@link #bind} runs first (from the route configuration) and ties
 * the exchange to its HTTP request; {@link #record} runs in {@code audit-write} on the wire-tapped copy
 * and appends the access record unless the write already committed its own.
 */
@Component("routeAudit")
public class RouteAudit {

    /** Exchange property holding the {@link RequestContext}. */
    public static final String REQUEST_PROPERTY = "scimflowRequest";

    private final AuditWriter writer;
    private final AuditEventFactory events;

    public RouteAudit(AuditWriter writer, AuditEventFactory events) {
        this.writer = writer;
        this.events = events;
    }

    public void bind(Exchange exchange) {
        RequestContext ctx = null;
        Message in = exchange.getIn();
        if (in instanceof HttpMessage http && http.getRequest() != null) {
            HttpServletRequest req = http.getRequest();
            ctx = (RequestContext) req.getAttribute(RequestContext.ATTRIBUTE);
            ApiClient client = (ApiClient) req.getAttribute(BearerTokenFilter.CLIENT_ATTRIBUTE);
            if (ctx != null && client != null) {
                ctx = ctx.withActor(client.id());
            }
            req.setAttribute(RequestAuditFilter.ROUTE_AUDITS, Boolean.TRUE);
        }
        if (ctx == null) {
            // Not from HTTP (a route test or an internal call): still attributable and correlated.
            String id = exchange.getExchangeId();
            ctx = new RequestContext(id, Instant.now(), System.nanoTime(), "INTERNAL", exchange.getFromRouteId(),
                    exchange.getFromRouteId(), null, null, "http://localhost", "system");
        }
        exchange.setProperty(REQUEST_PROPERTY, ctx);
        exchange.setProperty(AuditDraft.PROPERTY, new AuditDraft());
    }

    public static RequestContext request(Exchange exchange) {
        return exchange.getProperty(REQUEST_PROPERTY, RequestContext.class);
    }

    public static AuditDraft draft(Exchange exchange) {
        AuditDraft d = exchange.getProperty(AuditDraft.PROPERTY, AuditDraft.class);
        if (d == null) {
            d = new AuditDraft();
            exchange.setProperty(AuditDraft.PROPERTY, d);
        }
        return d;
    }

    /** Appends the record of a read or a failed call; writes that committed their own record are skipped. */
    public void record(Exchange exchange) {
        AuditDraft d = exchange.getProperty(AuditDraft.PROPERTY, AuditDraft.class);
        RequestContext ctx = request(exchange);
        if (d == null || ctx == null || d.recorded()) {
            return;
        }
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        int code = status == null ? 200 : status;
        String outcome = code == 401 || code == 403 ? AuditEvent.Outcome.DENIED
                : code < 400 ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE;
        AuditEvent.Builder b = events.forRequest(ctx, d.action())
                .outcome(outcome)
                .httpStatus(code)
                .subjectType(d.subjectType())
                .subjectId(d.subjectId())
                .subjectName(d.subjectName())
                .subjectExternalId(d.subjectExternalId())
                .scimType(d.scimType())
                .error(d.error());
        if (d.durationMs() != null) {
            b.durationMs(d.durationMs());
        }
        // Nothing to wait for: the call changed nothing, and the records lane commits it shortly.
        writer.appendLater(b.build());
    }
}
