package org.scimflow.scim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.scimflow.audit.RouteAudit;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.scim.schema.ResourceType;
import org.scimflow.scim.schema.SchemaDefinition;
import org.scimflow.scim.schema.SchemaDocuments;
import org.scimflow.scim.schema.ScimSchemas;
import org.springframework.stereotype.Component;

/** The read-only discovery endpoints (RFC 7644 §4): /ServiceProviderConfig, /Schemas, /ResourceTypes. */
@Component("scimDiscovery")
public class ScimDiscovery {

    private final ScimSchemas schemas;
    private final ScimflowProperties props;
    private final ObjectMapper mapper;

    public ScimDiscovery(ScimSchemas schemas, ScimflowProperties props, ObjectMapper mapper) {
        this.schemas = schemas;
        this.props = props;
        this.mapper = mapper;
    }

    public void serviceProviderConfig(Exchange ex) {
        ScimflowProperties.Scim s = props.getScim();
        answer(ex, "scim.discovery.config", SchemaDocuments.serviceProviderConfig(
                new SchemaDocuments.Capabilities(s.getMaxResults(), s.getMaxBulkOperations(), s.getMaxBodyBytes()),
                base(ex)));
    }

    public void schemas(Exchange ex) {
        List<ObjectNode> out = new ArrayList<>();
        schemas.schemas().forEach(s -> out.add(SchemaDocuments.schema(s, base(ex))));
        answer(ex, "scim.discovery.schemas", ResourceServiceSupport.listResponse(out, out.size(), 1));
    }

    public void schema(Exchange ex) throws ScimException {
        String id = ex.getIn().getHeader("id", String.class);
        SchemaDefinition s = schemas.schema(id);
        if (s == null) {
            RouteAudit.draft(ex).action("scim.discovery.schemas");
            throw ScimErrors.notFound("Schema " + id + " not found");
        }
        answer(ex, "scim.discovery.schemas", SchemaDocuments.schema(s, base(ex)));
    }

    public void resourceTypes(Exchange ex) {
        List<ObjectNode> out = new ArrayList<>();
        schemas.resourceTypes().forEach(rt -> out.add(SchemaDocuments.resourceType(rt, base(ex))));
        answer(ex, "scim.discovery.resource-types", ResourceServiceSupport.listResponse(out, out.size(), 1));
    }

    public void resourceType(Exchange ex) throws ScimException {
        String id = ex.getIn().getHeader("id", String.class);
        for (ResourceType rt : schemas.resourceTypes()) {
            if (rt.name().equalsIgnoreCase(id)) {
                answer(ex, "scim.discovery.resource-types", SchemaDocuments.resourceType(rt, base(ex)));
                return;
            }
        }
        RouteAudit.draft(ex).action("scim.discovery.resource-types");
        throw ScimErrors.notFound("ResourceType " + id + " not found");
    }

    private String base(Exchange ex) {
        return ScimResponses.baseUrl(RouteAudit.request(ex), props) + "/scim/v2";
    }

    private void answer(Exchange ex, String action, ObjectNode body) {
        RouteAudit.draft(ex).action(action).durationMs(RouteAudit.request(ex).elapsedMs());
        ScimResponses.write(ex, ScimResult.ok(body, null), mapper);
    }
}
