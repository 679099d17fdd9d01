package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.PatchOperation;
import com.unboundid.scim2.common.utils.JsonUtils;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
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
        if (!isPatchOp(body)) {
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
            for (Step step : normalize(rt, op, writeOnly, work)) {
                PatchOperation operation;
                try {
                    operation = JsonUtils.getObjectReader().forType(PatchOperation.class).readValue(step.op());
                } catch (IOException | RuntimeException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof ScimException se) {
                        throw se;
                    }
                    throw BadRequestException.invalidSyntax("Malformed PATCH operation");
                }
                Map<String, List<JsonNode>> primariesBefore = primaries(rt, work);
                ObjectNode before = step.mustMatch() ? work.deepCopy() : null;
                try {
                    operation.apply(work);
                } catch (BadRequestException e) {
                    if (e.getMessage() != null && e.getMessage().contains("does not have a value matching the filter")) {
                        throw BadRequestException.noTarget("No value matches '" + step.op().path("path").asText() + "'");
                    }
                    throw e;
                } catch (RuntimeException e) {
                    throw BadRequestException.invalidValue("PATCH operation could not be applied: " + operation.getOpType());
                }
                if (before != null && before.equals(work)) {
                    throw BadRequestException.noTarget("No value matches '" + step.op().path("path").asText() + "'");
                }
                settle(rt, work, primariesBefore);
            }
        }
        return new Patched(work, writeOnly);
    }

    /** One operation handed to the SDK; {@code mustMatch}: a value filter that matches nothing is noTarget. */
    private record Step(ObjectNode op, boolean mustMatch) { }

    /**
     * After each operation: equal values a multi-valued attribute holds twice are kept once (RFC 7644
     * §3.5.2.1: adding a value already there changes nothing), and when an operation made a second value
     * primary, the value that was primary before stops being so (RFC 7643 §2.4: at most one primary).
     */
    private static void settle(ResourceType rt, ObjectNode work, Map<String, List<JsonNode>> primariesBefore) {
        for (Slot slot : multiValued(rt, work)) {
            JsonNode arr = slot.holder().get(slot.name());
            ArrayNode unique = NODES.arrayNode();
            for (JsonNode el : arr) {
                boolean seen = false;
                for (JsonNode u : unique) {
                    seen |= u.equals(el);
                }
                if (!seen) {
                    unique.add(el);
                }
            }
            List<ObjectNode> primary = new ArrayList<>();
            unique.forEach(el -> {
                if (el.isObject() && el.path("primary").asBoolean(false)) {
                    primary.add((ObjectNode) el);
                }
            });
            List<JsonNode> old = primariesBefore.getOrDefault(slot.key(), List.of());
            for (ObjectNode p : primary) {
                if (countPrimary(unique) > 1 && old.stream().anyMatch(o -> o.equals(p))) {
                    p.put("primary", false);
                }
            }
            slot.holder().set(slot.name(), unique);
        }
    }

    private static long countPrimary(JsonNode arr) {
        long n = 0;
        for (JsonNode el : arr) {
            n += el.path("primary").asBoolean(false) ? 1 : 0;
        }
        return n;
    }

    private static Map<String, List<JsonNode>> primaries(ResourceType rt, ObjectNode work) {
        Map<String, List<JsonNode>> out = new HashMap<>();
        for (Slot slot : multiValued(rt, work)) {
            List<JsonNode> p = new ArrayList<>();
            slot.holder().get(slot.name()).forEach(el -> {
                if (el.path("primary").asBoolean(false)) {
                    p.add(el.deepCopy());
                }
            });
            out.put(slot.key(), p);
        }
        return out;
    }

    /** A multi-valued attribute present in a resource: the object holding it and its name there. */
    private record Slot(String schema, ObjectNode holder, String name) {
        String key() {
            return schema + ":" + name;
        }
    }

    private static List<Slot> multiValued(ResourceType rt, ObjectNode work) {
        List<Slot> out = new ArrayList<>();
        collect(rt.schema(), work, out);
        for (ResourceType.Extension e : rt.extensions()) {
            JsonNode ext = work.get(e.schema().id());
            if (ext instanceof ObjectNode o) {
                collect(e.schema(), o, out);
            }
        }
        return out;
    }

    private static void collect(SchemaDefinition schema, ObjectNode holder, List<Slot> out) {
        for (AttributeDefinition a : schema.attributes()) {
            JsonNode v = holder.get(a.name());
            if (a.isMultiValued() && v != null && v.isArray()) {
                out.add(new Slot(schema.id(), holder, a.name()));
            }
        }
    }

    /** One client operation as one or more operations the SDK applies as the RFC means them. */
    private List<Step> normalize(ResourceType rt, JsonNode op, Set<String> writeOnly, ObjectNode current)
            throws ScimException {
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
        List<Step> out = new ArrayList<>();
        if (pathNode == null || pathNode.isNull() || pathNode.asText().isBlank()) {
            if (name.equals("remove")) {
                throw BadRequestException.noTarget("'remove' needs a path");
            }
            if (value == null || !value.isObject()) {
                throw BadRequestException.invalidValue("Without a path, 'value' must be an object of attributes");
            }
            ObjectNode expanded = expand(rt, (ObjectNode) value, writeOnly, current);
            if (!expanded.isEmpty()) {
                out.add(new Step(op(name, null, expanded), false));
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
        AttributeDefinition def = attributeOf(rt, path, pathText, name);
        if (def.mutability() == Mutability.READ_ONLY) {
            throw BadRequestException.mutability("'" + def.name() + "' is read-only");
        }
        if (def.mutability() == Mutability.WRITE_ONLY) {
            if (!name.equals("remove")) {
                writeOnly.add(def.name());
            }
            return out;
        }
        if (def.mutability() == Mutability.IMMUTABLE && path.size() == 1) {
            JsonNode existing = valueAt(rt, current, path);
            if (name.equals("remove") || (existing != null && !existing.isNull() && !existing.equals(value))) {
                throw BadRequestException.mutability("'" + def.name() + "' is immutable once set");
            }
        }
        if (name.equals("remove") && value != null && !value.isNull() && def.isMultiValued()
                && path.size() == 1 && path.getElement(0).getValueFilter() == null) {
            // Entra ID: {"op":"Remove","path":"members","value":[{"value":"<id>"}]} removes those members only,
            // and removing one that is already gone is not an error.
            for (JsonNode v : value.isArray() ? value : NODES.arrayNode().add(value)) {
                JsonNode id = v.isObject() ? field(v, "value") : v;
                if (id == null || !id.isTextual()) {
                    throw BadRequestException.invalidValue("Each value to remove needs a 'value'");
                }
                String p = pathText + "[value eq \"" + id.asText().replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
                out.add(new Step(op("remove", p, null), false));
            }
            return out;
        }
        if (!name.equals("remove") && (value == null || value.isNull())) {
            throw BadRequestException.invalidValue("'" + name + "' needs a value");
        }
        if (!name.equals("remove") && path.size() == 1 && path.getElement(0).getValueFilter() == null
                && isValueWrapper(def) && value.isTextual()) {
            // Entra ID sends the enterprise manager as the manager's id alone: {"value": "<id>"} is meant.
            if (value.asText().isBlank()) {
                out.add(new Step(op("remove", pathText, null), false));
                return out;
            }
            value = NODES.objectNode().put("value", value.asText());
        }
        boolean filtered = path.size() > 0 && path.getElement(0).getValueFilter() != null;
        out.add(new Step(op(name, pathText, name.equals("remove") ? null : value), filtered && name.equals("remove")));
        return out;
    }

    /** A single-valued complex attribute with a {@code value} sub-attribute (manager): a string means its value. */
    static boolean isValueWrapper(AttributeDefinition def) {
        return def.type() == AttributeDefinition.Type.COMPLEX && !def.isMultiValued() && def.subAttribute("value") != null;
    }

    private static JsonNode valueAt(ResourceType rt, ObjectNode current, Path path) {
        ObjectNode holder = current;
        if (path.getSchemaUrn() != null && rt.extension(path.getSchemaUrn()) != null) {
            JsonNode ext = current.get(rt.extension(path.getSchemaUrn()).id());
            if (!(ext instanceof ObjectNode o)) {
                return null;
            }
            holder = o;
        }
        return field(holder, path.getElement(0).getAttribute());
    }

    /** Expands dotted and URN-qualified keys of a no-path value; drops read-only, takes out write-only. */
    private ObjectNode expand(ResourceType rt, ObjectNode value, Set<String> writeOnly, ObjectNode current)
            throws ScimException {
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
                // Keep what is already there: "name.givenName" replaces the given name, not the whole name.
                mergeExisting(current, schema == rt.schema() ? null : schema.id(), def.name(), sub);
            } else if (isValueWrapper(def) && f.getValue().isTextual()) {
                target.set(def.name(), NODES.objectNode().put("value", f.getValue().asText()));
            } else {
                target.set(def.name(), f.getValue());
            }
        }
        return out;
    }

    /** Copies the sub-attributes {@code sub} does not set from the current value of a complex attribute. */
    private static void mergeExisting(ObjectNode current, String extension, String attribute, ObjectNode sub) {
        JsonNode holder = extension == null ? current : current.get(extension);
        JsonNode existing = holder == null ? null : holder.get(attribute);
        if (existing instanceof ObjectNode o) {
            o.fields().forEachRemaining(e -> {
                if (field(sub, e.getKey()) == null) {
                    sub.set(e.getKey(), e.getValue());
                }
            });
        }
    }

    private static AttributeDefinition attributeOf(ResourceType rt, Path path, String text, String op)
            throws ScimException {
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
            if (sub.mutability() == Mutability.IMMUTABLE && !op.equals("add")) {
                throw BadRequestException.mutability("'" + def.name() + "." + sub.name() + "' is immutable");
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

    /** True when the body's {@code schemas} lists the PatchOp message URN. */
    static boolean isPatchOp(JsonNode body) {
        JsonNode schemas = field(body, "schemas");
        if (schemas != null && schemas.isArray()) {
            for (JsonNode s : schemas) {
                if (s.asText().equalsIgnoreCase(CoreSchemas.PATCH_OP)) {
                    return true;
                }
            }
        }
        return false;
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
