package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.scimflow.audit.AuditDraft;
import org.scimflow.audit.RequestContext;
import org.scimflow.audit.RouteAudit;
import org.scimflow.config.ScimflowProperties;

/**
 * The Camel side of one SCIM resource type: turns an exchange into a {@link ScimCall}, calls the
 * service, and writes the SCIM response. Routes in {@code routes/scim-api.camel.yaml} call its methods.
 */
public class ScimEndpoint {

    private final ScimResourceOperations ops;
    private final String type;
    private final String actionPrefix;
    private final ScimflowProperties props;
    private final ScimJsonReader reader;
    private final ObjectMapper mapper;

    public ScimEndpoint(ScimResourceOperations ops, String type, ScimflowProperties props, ObjectMapper mapper) {
        this.ops = ops;
        this.type = type;
        this.actionPrefix = "scim." + type.toLowerCase(Locale.ROOT) + ".";
        this.props = props;
        this.reader = new ScimJsonReader(props.getScim().getMaxBodyBytes());
        this.mapper = mapper;
    }

    public void create(Exchange ex) throws ScimException {
        ScimCall call = begin(ex, "create", Projection.ALL);
        respond(ex, ops.create(call, body(ex)), true);
    }

    public void get(Exchange ex) throws ScimException {
        ScimCall call = begin(ex, "read", projection(ex));
        String id = ex.getIn().getHeader("id", String.class);
        RouteAudit.draft(ex).subject(type, id, null, null);
        respond(ex, ops.get(call, id), false);
    }

    public void list(Exchange ex) throws ScimException {
        ListRequest req = ListRequest.from(name -> ex.getIn().getHeader(name, String.class),
                props.getScim().getDefaultCount(), props.getScim().getMaxResults());
        ScimCall call = begin(ex, "list", req.projection());
        respond(ex, ops.list(call, req), false);
    }

    /** {@code POST /.search}: the list parameters in a SearchRequest body (RFC 7644 §3.4.3). */
    public void search(Exchange ex) throws ScimException {
        JsonNode body = body(ex);
        ListRequest req = ListRequest.from(name -> {
            JsonNode v = PatchApplier.field(body, name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (v.isArray()) {
                StringBuilder sb = new StringBuilder();
                v.forEach(e -> sb.append(sb.length() == 0 ? "" : ",").append(e.asText()));
                return sb.toString();
            }
            return v.asText();
        }, props.getScim().getDefaultCount(), props.getScim().getMaxResults());
        ScimCall call = begin(ex, "search", req.projection());
        respond(ex, ops.list(call, req), false);
    }

    public void replace(Exchange ex) throws ScimException {
        ScimCall call = begin(ex, "replace", projection(ex));
        String id = ex.getIn().getHeader("id", String.class);
        RouteAudit.draft(ex).subject(type, id, null, null);
        respond(ex, ops.replace(call, id, body(ex)), true);
    }

    public void patch(Exchange ex) throws ScimException {
        ScimCall call = begin(ex, "patch", projection(ex));
        String id = ex.getIn().getHeader("id", String.class);
        RouteAudit.draft(ex).subject(type, id, null, null);
        respond(ex, ops.patch(call, id, body(ex)), true);
    }

    public void delete(Exchange ex) throws ScimException {
        ScimCall call = begin(ex, "delete", Projection.ALL);
        String id = ex.getIn().getHeader("id", String.class);
        RouteAudit.draft(ex).subject(type, id, null, null);
        respond(ex, ops.delete(call, id), true);
    }

    private ScimCall begin(Exchange ex, String verb, Projection projection) {
        RequestContext ctx = RouteAudit.request(ex);
        RouteAudit.draft(ex).action(actionPrefix + verb);
        Message in = ex.getIn();
        return new ScimCall(ctx, ScimResponses.baseUrl(ctx, props),
                in.getHeader("If-Match", String.class), in.getHeader("If-None-Match", String.class), projection);
    }

    private Projection projection(Exchange ex) {
        return new Projection(ListRequest.csv(ex.getIn().getHeader("attributes", String.class)),
                ListRequest.csv(ex.getIn().getHeader("excludedAttributes", String.class)));
    }

    private JsonNode body(Exchange ex) throws ScimException {
        return reader.read(ex.getIn().getHeader(Exchange.CONTENT_TYPE, String.class), ex.getIn().getBody(),
                ex.getContext().getTypeConverter());
    }

    private void respond(Exchange ex, ScimResult r, boolean write) {
        AuditDraft draft = RouteAudit.draft(ex);
        JsonNode body = r.body();
        if (body != null && body.has("id") && body.has("meta")) {
            draft.subject(type, body.get("id").asText(),
                    body.path(type.equals("User") ? "userName" : "displayName").asText(null),
                    body.path("externalId").asText(null));
        }
        if (write) {
            draft.markRecorded();
        }
        draft.durationMs(RouteAudit.request(ex).elapsedMs());
        ScimResponses.write(ex, r, mapper);
    }
}
