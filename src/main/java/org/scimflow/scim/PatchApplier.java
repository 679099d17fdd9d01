package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.PatchOperation;
import com.unboundid.scim2.common.utils.JsonUtils;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.scimflow.scim.schema.AttributeDefinition;
import org.scimflow.scim.schema.AttributeDefinition.Mutability;
import org.scimflow.scim.schema.CoreSchemas;
import org.scimflow.scim.schema.ResourceType;
import org.scimflow.scim.schema.SchemaDefinition;

/**
 * Applies a SCIM PATCH request (RFC 7644 §3.5.2) to a copy of a resource, all operations or none.
 *
 * <p>Operation semantics come from the UnboundID SCIM 2 SDK; this class adds what real identity
 * providers send beyond the RFC's examples: capitalised {@code op} values, no-path values with dotted
 * keys ({@code "name.givenName"}), and {@code remove} of {@code members} with a value list (which the RFC
 * would read as "remove all members").
 */
public final class PatchApplier {

    public static final int MAX_OPERATIONS = 1000;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The patched resource (not yet validated) and the write-only attributes the patch set. */
    public record Patched(ObjectNode resource, Set<String> writeOnlySet) { }

    public Patched apply(ResourceType rt, ObjectNode current, JsonNode body) throws ScimException {
        if (body == null || !body.isObject()) {
            throw BadRequestException.invalidSyntax("The request body must be a JSON object");
        }
        JsonNode schemas = field(body, "schemas");
        boolean patchOp = false;
        if (schemas != null && schemas.isArray()) {
            for (JsonNode s : schemas) {
                patchOp |= s.asText().equalsIgnoreCase(CoreSchemas.PATCH_OP);
            }
        }
        if (!patchOp) {
            throw BadRequestException.invalidSyntax("'schemas' must list " + CoreSchemas.PATCH_OP);
        }
        JsonNode ops = field(body, "Operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw BadRequestException.invalidSyntax("'Operations' must be a non-empty array");
        }
        if (ops.size() > MAX_OPERATIONS) {
            throw BadRequestException.invalidValue("At most " + MAX_OPERATIONS + " operations per PATCH");
        }
        ObjectNode work = current.deepCopy();
        Set<String> writeOnly = new LinkedHashSet<>();
        for (JsonNode op : ops) {
            for (ObjectNode normalized : normalize(rt, op, writeOnly)) {
                PatchOperation operation;
                try {
                    operation = JsonUtils.getObjectReader().forType(PatchOperation.class).readValue(normalized);
                } catch (IOException | RuntimeException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof ScimException se) {
                        throw se;
                    }
                    throw BadRequestException.invalidSyntax("Malformed PATCH operation");
                }
                try {
                    operation.apply(work);
                } catch (RuntimeException e) {
                    throw BadRequestException.invalidValue("PATCH operation could not be applied: " + operation.getOpType());
                }
            }
        }
        return new Patched(work, writeOnly);
    }

    /** One client operation as one or more operations the SDK applies as the RFC means them. */
    private List<ObjectNode> normalize(ResourceType rt, JsonNode op, Set<String> writeOnly) throws ScimException {
        if (!op.isObject()) {
            throw BadRequestException.invalidSyntax("Each operation must be an object");
        }
        JsonNode opNode = field(op, "op");
        String name = opNode == null ? "" : opNode.asText().toLowerCase(Locale.ROOT);
        if (!name.equals("add") && !name.equals("replace") && !name.equals("remove")) {
            throw BadRequestException.invalidSyntax("'op' must be add, replace or remove");
        }
        JsonNode pathNode = field(op, "path");
        JsonNode value = field(op, "value");
        List<ObjectNode> out = new ArrayList<>();
        if (pathNode == null || pathNode.isNull() || pathNode.asText().isBlank()) {
            if (name.equals("remove")) {
                throw BadRequestException.noTarget("'remove' needs a path");
            }
            if (value == null || !value.isObject()) {
                throw BadRequestException.invalidValue("Without a path, 'value' must be an object of attributes");
            }
            ObjectNode expanded = expand(rt, (ObjectNode) value, writeOnly);
            if (!expanded.isEmpty()) {
                out.add(op(name, null, expanded));
            }
            return out;
        }
        if (!pathNode.isTextual()) {
            throw BadRequestException.invalidPath("'path' must be a string");
        }
        String pathText = pathNode.asText();
        Path path;
        try {
            path = Path.fromString(pathText);
        } catch (BadRequestException e) {
            throw BadRequestException.invalidPath("Invalid path '" + pathText + "'");
        } catch (RuntimeException e) {
            throw BadRequestException.invalidPath("Invalid path '" + pathText + "'");
        }
        AttributeDefinition def = attributeOf(rt, path, pathText);
        if (def.mutability() == Mutability.READ_ONLY) {
            throw BadRequestException.mutability("'" + def.name() + "' is read-only");
        }
        if (def.mutability() == Mutability.WRITE_ONLY) {
            if (!name.equals("remove")) {
                writeOnly.add(def.name());
            }
            return out;
        }
        if (name.equals("remove") && value != null && !value.isNull() && def.isMultiValued()
                && path.size() == 1 && path.getElement(0).getValueFilter() == null) {
            // Entra ID: {"op":"Remove","path":"members","value":[{"value":"<id>"}]} removes those members only.
            for (JsonNode v : value.isArray() ? value : NODES.arrayNode().add(value)) {
                JsonNode id = v.isObject() ? field(v, "value") : v;
                if (id == null || !id.isTextual()) {
                    throw BadRequestException.invalidValue("Each value to remove needs a 'value'");
                }
                String p = pathText + "[value eq \"" + id.asText().replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
                out.add(op("remove", p, null));
            }
            return out;
        }
        if (!name.equals("remove") && (value == null || value.isNull())) {
            throw BadRequestException.invalidValue("'" + name + "' needs a value");
        }
        out.add(op(name, pathText, name.equals("remove") ? null : value));
        return out;
    }

    /** Expands dotted and URN-qualified keys of a no-path value; drops read-only, takes out write-only. */
    private ObjectNode expand(ResourceType rt, ObjectNode value, Set<String> writeOnly) throws ScimException {
        ObjectNode out = NODES.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = f.getKey();
            SchemaDefinition schema = rt.schema();
            ObjectNode target = out;
            SchemaDefinition ext = rt.extension(key);
            if (ext != null) {
                if (f.getValue().isObject()) {
                    ObjectNode extOut = out.has(ext.id()) ? (ObjectNode) out.get(ext.id()) : out.putObject(ext.id());
                    f.getValue().fields().forEachRemaining(e -> extOut.set(e.getKey(), e.getValue()));
                    continue;
                }
                throw BadRequestException.invalidValue("'" + key + "' must be an object");
            }
            if (key.regionMatches(true, 0, "urn:", 0, 4)) {
                int colon = key.lastIndexOf(':');
                String urn = key.substring(0, colon);
                SchemaDefinition s = rt.schemaFor(urn);
                if (s == null) {
                    throw BadRequestException.invalidPath("Unknown schema in '" + key + "'");
                }
                if (s != rt.schema()) {
                    schema = s;
                    target = out.has(s.id()) ? (ObjectNode) out.get(s.id()) : out.putObject(s.id());
                }
                key = key.substring(colon + 1);
            }
            String[] parts = key.split("\\.", 2);
            AttributeDefinition def = ResourceValidator.attribute(schema, parts[0]);
            if (def == null) {
                throw BadRequestException.invalidPath("Unknown attribute '" + f.getKey() + "'");
            }
            if (def.mutability() == Mutability.READ_ONLY) {
                continue;
            }
            if (def.mutability() == Mutability.WRITE_ONLY) {
                writeOnly.add(def.name());
                continue;
            }
            if (parts.length == 2) {
                ObjectNode sub = target.has(def.name()) && target.get(def.name()).isObject()
                        ? (ObjectNode) target.get(def.name()) : target.putObject(def.name());
                sub.set(parts[1], f.getValue());
            } else {
                target.set(def.name(), f.getValue());
            }
        }
        return out;
    }

    private static AttributeDefinition attributeOf(ResourceType rt, Path path, String text) throws ScimException {
        SchemaDefinition schema = rt.schema();
        if (path.getSchemaUrn() != null) {
            schema = rt.schemaFor(path.getSchemaUrn());
            if (schema == null) {
                throw BadRequestException.invalidPath("Unknown schema in '" + text + "'");
            }
        }
        if (path.size() == 0) {
            throw BadRequestException.invalidPath("'" + text + "' names no attribute");
        }
        AttributeDefinition def = ResourceValidator.attribute(schema, path.getElement(0).getAttribute());
        if (def == null) {
            throw BadRequestException.invalidPath("Unknown attribute in '" + text + "'");
        }
        if (path.size() > 1) {
            AttributeDefinition sub = def.subAttribute(path.getElement(1).getAttribute());
            if (sub == null) {
                throw BadRequestException.invalidPath("Unknown sub-attribute in '" + text + "'");
            }
            if (sub.mutability() == Mutability.READ_ONLY) {
                throw BadRequestException.mutability("'" + def.name() + "." + sub.name() + "' is read-only");
            }
        }
        return def;
    }

    private static ObjectNode op(String name, String path, JsonNode value) {
        ObjectNode n = NODES.objectNode();
        n.put("op", name);
        if (path != null) {
            n.put("path", path);
        }
        if (value != null) {
            n.set("value", value);
        }
        return n;
    }

    static JsonNode field(JsonNode body, String name) {
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (n.equalsIgnoreCase(name)) {
                return body.get(n);
            }
        }
        return null;
    }
}
