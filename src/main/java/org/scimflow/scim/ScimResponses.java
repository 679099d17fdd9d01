package org.scimflow.scim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.scimflow.audit.RequestContext;
import org.scimflow.config.ScimflowProperties;

/** Writes a {@link ScimResult} as the HTTP response of an exchange; works out the absolute base URL. */
final class ScimResponses {

    private ScimResponses() { }

    /** {@code scimflow.scim.base-url} when set, else the request's own scheme, host and port; no trailing slash. */
    static String baseUrl(RequestContext ctx, ScimflowProperties props) {
        String base = props.getScim().getBaseUrl();
        if (base == null || base.isBlank()) {
            base = ctx.baseUrl();
        }
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    static void write(Exchange ex, ScimResult r, ObjectMapper mapper) {
        Message m = ex.getMessage();
        // Inbound headers (Authorization among them) must never be echoed back.
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, r.status());
        if (r.location() != null) {
            m.setHeader("Location", r.location());
        }
        if (r.etag() != null) {
            m.setHeader("ETag", r.etag());
        }
        if (r.body() != null) {
            m.setHeader(Exchange.CONTENT_TYPE, ScimMediaTypes.SCIM_JSON);
            try {
                m.setBody(mapper.writeValueAsBytes(r.body()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            m.setBody(null);
        }
    }
}
