package org.scimflow.scim;

import com.unboundid.scim2.common.exceptions.ScimException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.scimflow.audit.RequestContext;
import org.scimflow.audit.RouteAudit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns any exception a route raises into a SCIM error response (RFC 7644 §3.12). Client mistakes get
 * their 4xx and {@code scimType}; anything else is a 500 whose detail carries only the correlation id
 * (the stack trace goes to the log, never a request body).
 */
@Component("apiErrors")
public class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    public void handle(Exchange ex) {
        Throwable t = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ScimException scim = find(t);
        int status;
        String scimType = null;
        String detail;
        if (scim != null) {
            status = scim.getScimError().getStatus();
            scimType = scim.getScimError().getScimType();
            detail = scim.getScimError().getDetail();
        } else {
            status = 500;
            RequestContext ctx = RouteAudit.request(ex);
            String ref = ctx == null ? ex.getExchangeId() : ctx.correlationId();
            detail = "Internal error, reference " + ref;
            log.error("Unhandled error in route {} (correlation {})", ex.getFromRouteId(), ref, t);
        }
        RouteAudit.draft(ex).failure(scimType, detail);
        RequestContext ctx = RouteAudit.request(ex);
        if (ctx != null) {
            RouteAudit.draft(ex).durationMs(ctx.elapsedMs());
        }
        Message m = ex.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (status == 304) {
            m.setBody(null);
            return;
        }
        m.setHeader(Exchange.CONTENT_TYPE, ScimMediaTypes.SCIM_JSON);
        m.setBody(ScimErrors.body(status, scimType, detail));
    }

    private static ScimException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ScimException s) {
                return s;
            }
        }
        return null;
    }
}
