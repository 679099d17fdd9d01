package org.scimflow.audit;

import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import org.springframework.stereotype.Component;

/** Starts audit events from what is known of the inbound call. */
@Component
public class AuditEventFactory {

    private final TimeBasedEpochGenerator ids;

    public AuditEventFactory(TimeBasedEpochGenerator ids) {
        this.ids = ids;
    }

    /** An event for an exchange that came in over HTTP, with actor, origin and timing filled in. */
    public AuditEvent.Builder forRequest(RequestContext ctx, String action) {
        return AuditEvent.builder()
                .eventId(ids.generate())
                .eventTime(ctx.startTime())
                .correlationId(ctx.correlationId())
                .channel(ctx.channel())
                .action(action)
                .actorType(ctx.actorId() == null ? "anonymous" : "client")
                .actorId(ctx.actorId())
                .actorIp(ctx.sourceIp())
                .actorUserAgent(ctx.userAgent())
                .httpMethod(ctx.method())
                .httpPath(ctx.target())
                .durationMs(ctx.elapsedMs());
    }
}
