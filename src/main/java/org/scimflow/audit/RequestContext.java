package org.scimflow.audit;

import java.time.Instant;

/**
 * What is known about an inbound HTTP call ({@code target} is the path with its query string) before any route runs: its correlation id, caller and
 * origin. Created by {@link RequestAuditFilter}; the actor is filled in once authentication ran.
 */
public record RequestContext(
        String correlationId,
        Instant startTime,
        long startNanos,
        String method,
        String path,
        String target,
        String sourceIp,
        String userAgent,
        String baseUrl,
        String actorId) {

    /** Request attribute under which the context is kept. */
    public static final String ATTRIBUTE = "scimflow.requestContext";

    public RequestContext withActor(String actor) {
        return new RequestContext(correlationId, startTime, startNanos, method, path, target, sourceIp, userAgent, baseUrl,
                actor);
    }

    public int elapsedMs() {
        return (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - startNanos) / 1_000_000L);
    }

    /** The channel a path belongs to. */
    public String channel() {
        if (path.equals("/audit/v1/retention/run")) {
            return AuditEvent.Channel.ADMIN;
        }
        if (path.startsWith("/audit/") || path.startsWith("/ui")) {
            return AuditEvent.Channel.AUDIT_READ;
        }
        if (path.startsWith("/admin/") || path.startsWith("/actuator")) {
            return AuditEvent.Channel.ADMIN;
        }
        return AuditEvent.Channel.SCIM_IN;
    }
}
