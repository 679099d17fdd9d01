package org.scimflow.config;

import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.scimflow.audit.AuditEvent;
import org.scimflow.audit.AuditWriter;
import org.scimflow.audit.RequestContext;
import org.scimflow.scim.ScimErrors;
import org.scimflow.scim.ScimMediaTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's last word on a failed request, in place of its HTML error page: a SCIM error body and an
 * {@code X-Request-Id}. Tomcat answers some requests before any filter of the hub sees them (a request
 * line or header it cannot parse, an invalid percent-encoding, a request line or headers over the size
 * limit); those get an audit record here, since the access filter never ran for them.
 *
 * <p>Tomcat creates this valve itself ({@link ContainerErrors} names its class); the audit writer is handed
 * to it once the web server has started. Until then a refused request is answered but not recorded.
 */
public class ContainerErrorValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(ContainerErrorValve.class);
    private static final int MAX_TEXT = 512;

    private volatile AuditWriter writer;
    private volatile TimeBasedEpochGenerator ids;

    void recordWith(AuditWriter auditWriter, TimeBasedEpochGenerator idGenerator) {
        this.ids = idGenerator;
        this.writer = auditWriter;
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        // The access filter ran for this request if it left its context: it has its id and its record.
        RequestContext seen = (RequestContext) request.getAttribute(RequestContext.ATTRIBUTE);
        TimeBasedEpochGenerator idGenerator = ids;
        String correlationId = seen != null ? seen.correlationId()
                : idGenerator != null ? idGenerator.generate().toString() : java.util.UUID.randomUUID().toString();
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (ioAllowed.get()) {
            try {
                response.setContentType(ScimMediaTypes.SCIM_JSON);
                response.setCharacterEncoding("UTF-8");
                if (!response.containsHeader("X-Request-Id")) {
                    response.setHeader("X-Request-Id", correlationId);
                }
                Writer out = response.getReporter();
                if (out != null) {
                    out.write(ScimErrors.body(status, status == 400 ? "invalidSyntax" : null, ScimErrors.detailFor(status)));
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                log.debug("Could not write the error body for a refused request", e);
            }
        }
        if (seen == null) {
            record(request, status, correlationId, throwable);
        }
    }


    private void record(Request request, int status, String correlationId, Throwable throwable) {
        AuditWriter auditWriter = writer;
        TimeBasedEpochGenerator idGenerator = ids;
        if (auditWriter == null || idGenerator == null) {
            return;
        }
        try {
            String cause = throwable == null ? null : throwable.getClass().getSimpleName();
            auditWriter.appendLater(AuditEvent.builder()
                    .eventId(idGenerator.generate())
                    .eventTime(Instant.now())
                    .correlationId(correlationId)
                    .channel(AuditEvent.Channel.SCIM_IN)
                    .action("http.request")
                    .outcome(AuditEvent.Outcome.FAILURE)
                    .actorType("anonymous")
                    .actorIp(request.getRemoteAddr())
                    .actorUserAgent(text(request.getHeader("User-Agent")))
                    .httpMethod(text(request.getMethod()))
                    .httpPath(text(request.getRequestURI()))
                    .httpStatus(status)
                    .error("refused by the HTTP server: http " + status + (cause == null ? "" : " (" + cause + ")"))
                    .build());
        } catch (RuntimeException e) {
            log.error("Could not record a request the HTTP server refused (status {})", status, e);
        }
    }

    /** Whatever Tomcat managed to parse, bounded; it is attacker-supplied. */
    private static String text(String s) {
        if (s == null) {
            return null;
        }
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
    }
}
