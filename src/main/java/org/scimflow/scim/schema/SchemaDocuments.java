package org.scimflow.scim.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The discovery documents of RFC 7643 §5–§7 (ServiceProviderConfig, ResourceType, Schema), rendered from
 * the same {@link ScimSchemas} the validator, filters and PATCH use.
 */
public final class SchemaDocuments {

    public static final String SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";
    public static final String RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
    public static final String SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** What the service provider configuration advertises. */
    public record Capabilities(int maxResults, int maxBulkOperations, long maxPayloadSize) { }

    private SchemaDocuments() { }

    /** {@code base} is the SCIM root, e.g. {@code https://hub.example.com/scim/v2}. */
    public static ObjectNode serviceProviderConfig(Capabilities c, String base) {
        ObjectNode out = NODES.objectNode();
        out.putArray("schemas").add(SERVICE_PROVIDER_CONFIG);
        out.putObject("patch").put("supported", true);
        out.putObject("bulk").put("supported", true).put("maxOperations", c.maxBulkOperations())
                .put("maxPayloadSize", c.maxPayloadSize());
        out.putObject("filter").put("supported", true).put("maxResults", c.maxResults());
        // password is accepted and dropped (docs/decisions/0004): there is nothing to change.
        out.putObject("changePassword").put("supported", false);
        out.putObject("sort").put("supported", true);
        out.putObject("etag").put("supported", true);
        ArrayNode auth = out.putArray("authenticationSchemes");
        auth.addObject().put("type", "oauthbearertoken").put("name", "Bearer token")
                .put("description", "Authorization: Bearer <token>; each client's token is configured by its SHA-256")
                .put("primary", true);
        out.set("meta", meta("ServiceProviderConfig", base + "/ServiceProviderConfig"));
        return out;
    }

    public static ObjectNode resourceType(ResourceType rt, String base) {
        ObjectNode out = NODES.objectNode();
        out.putArray("schemas").add(RESOURCE_TYPE);
        out.put("id", rt.name());
        out.put("name", rt.name());
        out.put("endpoint", rt.endpoint());
        out.put("description", rt.description());
        out.put("schema", rt.schema().id());
        if (!rt.extensions().isEmpty()) {
            ArrayNode ext = out.putArray("schemaExtensions");
            rt.extensions().forEach(e -> ext.addObject().put("schema", e.schema().id()).put("required", e.required()));
        }
        out.set("meta", meta("ResourceType", base + "/ResourceTypes/" + rt.name()));
        return out;
    }

    public static ObjectNode schema(SchemaDefinition s, String base) {
        ObjectNode out = NODES.objectNode();
        out.putArray("schemas").add(SCHEMA);
        out.put("id", s.id());
        out.put("name", s.name());
        out.put("description", s.description());
        ArrayNode attrs = out.putArray("attributes");
        s.attributes().forEach(a -> attrs.add(attribute(a)));
        out.set("meta", meta("Schema", base + "/Schemas/" + s.id()));
        return out;
    }

    /** RFC 7643 §7: every characteristic, sub-attributes for complex ones. */
    static ObjectNode attribute(AttributeDefinition a) {
        ObjectNode out = NODES.objectNode();
        out.put("name", a.name());
        out.put("type", a.type().scimName);
        out.put("multiValued", a.isMultiValued());
        out.put("description", a.description());
        out.put("required", a.isRequired());
        if (a.type() == AttributeDefinition.Type.STRING || a.type() == AttributeDefinition.Type.REFERENCE
                || a.type() == AttributeDefinition.Type.BINARY) {
            out.put("caseExact", a.isCaseExact());
        }
        if (!a.canonicalValues().isEmpty()) {
            ArrayNode c = out.putArray("canonicalValues");
            a.canonicalValues().forEach(c::add);
        }
        if (a.type() == AttributeDefinition.Type.REFERENCE) {
            ArrayNode r = out.putArray("referenceTypes");
            a.referenceTypes().forEach(r::add);
        }
        out.put("mutability", a.mutability().scimName);
        out.put("returned", a.returned().scimName);
        if (a.type() != AttributeDefinition.Type.COMPLEX && a.type() != AttributeDefinition.Type.BOOLEAN) {
            out.put("uniqueness", a.uniqueness().scimName);
        }
        if (a.type() == AttributeDefinition.Type.COMPLEX) {
            ArrayNode subs = out.putArray("subAttributes");
            a.subAttributeList().forEach(sub -> subs.add(attribute(sub)));
        }
        return out;
    }

    private static ObjectNode meta(String resourceType, String location) {
        return NODES.objectNode().put("resourceType", resourceType).put("location", location);
    }
}
