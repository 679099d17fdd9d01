package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.scimflow.scim.schema.AttributeDefinition;
import org.scimflow.scim.schema.AttributeDefinition.Mutability;
import org.scimflow.scim.schema.AttributeDefinition.Type;
import org.scimflow.scim.schema.ResourceType;
import org.scimflow.scim.schema.SchemaDefinition;

/**
 * Checks a resource sent by a client against its schemas and returns it in canonical form: attribute
 * names as the schema spells them, values of the declared type, read-only attributes dropped (RFC 7644
 * §3.3: ignored), write-only ones ({@code password}) taken out and never stored.
 *
 * <p>Lenient where identity providers are known to differ from the RFC: booleans sent as strings
 * ({@code "True"}) are accepted, and so is a plain id for {@code manager}. Unknown attributes are
 * rejected: a silently dropped attribute is a change the caller believes happened. Canonical values are
 * enforced for configured extension attributes that declare them; the core {@code type} values are
 * suggestions (RFC 7643 §2.3.1) and other types are kept.
 */
public final class ResourceValidator {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A validated resource and what was set on write-only attributes. */
    public record Normalized(ObjectNode resource, Set<String> writeOnlySet) { }

    public Normalized normalize(ResourceType rt, JsonNode body) throws ScimException {
        if (body == null || !body.isObject()) {
            throw BadRequestException.invalidSyntax("The request body must be a JSON object");
        }
        ObjectNode out = NODES.objectNode();
        Set<String> writeOnly = new LinkedHashSet<>();
        Set<String> schemas = checkSchemas(rt, field(body, "schemas"));
        Iterator<Map.Entry<String, JsonNode>> fields = body.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = f.getKey();
            JsonNode value = f.getValue();
            if (name.equalsIgnoreCase("schemas")) {
                continue;
            }
            SchemaDefinition ext = rt.extension(name);
            if (ext != null) {
                if (value.isNull()) {
                    continue;
                }
                if (!value.isObject()) {
                    throw BadRequestException.invalidValue("'" + ext.id() + "' must be an object");
                }
                ObjectNode extOut = normalizeAttributes(ext, (ObjectNode) value, ext.id() + ":", writeOnly);
                if (!extOut.isEmpty()) {
                    out.set(ext.id(), extOut);
                    schemas.add(ext.id());
                }
                continue;
            }
            String local = name;
            String corePrefix = rt.schema().id() + ":";
            if (name.regionMatches(true, 0, corePrefix, 0, corePrefix.length())) {
                local = name.substring(corePrefix.length());
            }
            AttributeDefinition def = attribute(rt.schema(), local);
            if (def == null) {
                throw BadRequestException.invalidSyntax("Unknown attribute '" + name + "' for " + rt.name());
            }
            put(out, def, value, "", writeOnly);
        }
        requireAll(rt.schema(), out, "");
        for (ResourceType.Extension e : rt.extensions()) {
            JsonNode extNode = out.get(e.schema().id());
            if (e.required() && extNode == null) {
                throw BadRequestException.invalidValue("Extension " + e.schema().id() + " is required");
            }
            if (extNode != null) {
                requireAll(e.schema(), (ObjectNode) extNode, e.schema().id() + ":");
            }
        }
        ArrayNode schemaArray = out.putArray("schemas");
        schemas.forEach(schemaArray::add);
        return new Normalized(out, writeOnly);
    }

    private Set<String> checkSchemas(ResourceType rt, JsonNode schemas) throws ScimException {
        if (schemas == null || !schemas.isArray() || schemas.isEmpty()) {
            throw BadRequestException.invalidSyntax("'schemas' is required and must list " + rt.schema().id());
        }
        Set<String> result = new LinkedHashSet<>();
        result.add(rt.schema().id());
        boolean core = false;
        for (JsonNode s : schemas) {
            if (!s.isTextual()) {
                throw BadRequestException.invalidSyntax("'schemas' must be an array of URNs");
            }
            SchemaDefinition known = rt.schemaFor(s.asText());
            if (known == null) {
                throw BadRequestException.invalidValue("Unknown schema '" + s.asText() + "' for " + rt.name());
            }
            if (known == rt.schema()) {
                core = true;
            }
        }
        if (!core) {
            throw BadRequestException.invalidSyntax("'schemas' must list " + rt.schema().id());
        }
        return result;
    }

    private ObjectNode normalizeAttributes(SchemaDefinition schema, ObjectNode in, String prefix, Set<String> writeOnly)
            throws ScimException {
        ObjectNode out = NODES.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = in.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            AttributeDefinition def = schema.attribute(f.getKey());
            if (def == null) {
                throw BadRequestException.invalidSyntax("Unknown attribute '" + prefix + f.getKey() + "'");
            }
            put(out, def, f.getValue(), prefix, writeOnly);
        }
        return out;
    }

    private void put(ObjectNode out, AttributeDefinition def, JsonNode value, String prefix, Set<String> writeOnly)
            throws ScimException {
        if (def.isReadOnly()) {
            return;
        }
        JsonNode v = value(def, value, prefix + def.name());
        if (def.mutability() == Mutability.WRITE_ONLY) {
            if (v != null) {
                writeOnly.add(prefix + def.name());
            }
            return;
        }
        if (v != null) {
            out.set(def.name(), v);
        }
    }

    /** A multi-valued or single value in canonical form; null means absent. */
    JsonNode value(AttributeDefinition def, JsonNode value, String path) throws ScimException {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!def.isMultiValued()) {
            if (value.isArray()) {
                throw BadRequestException.invalidValue("'" + path + "' is single-valued");
            }
            return single(def, value, path);
        }
        if (!value.isArray()) {
            throw BadRequestException.invalidValue("'" + path + "' is multi-valued: send an array");
        }
        ArrayNode arr = NODES.arrayNode();
        int primaries = 0;
        for (JsonNode el : value) {
            JsonNode v = single(def, el, path);
            if (v == null) {
                continue;
            }
            if (v.path("primary").asBoolean(false)) {
                primaries++;
            }
            arr.add(v);
        }
        if (primaries > 1) {
            throw BadRequestException.invalidValue("Only one value of '" + path + "' can be primary");
        }
        return arr.isEmpty() ? null : arr;
    }

    private JsonNode single(AttributeDefinition def, JsonNode v, String path) throws ScimException {
        if (v == null || v.isNull()) {
            return null;
        }
        switch (def.type()) {
            case COMPLEX -> {
                if (v.isTextual() && PatchApplier.isValueWrapper(def)) {
                    // Entra ID sends the enterprise manager as the manager's id alone.
                    return v.asText().isBlank() ? null : single(def, NODES.objectNode().put("value", v.asText()), path);
                }
                if (!v.isObject()) {
                    throw BadRequestException.invalidValue("'" + path + "' must be an object");
                }
                ObjectNode out = NODES.objectNode();
                Iterator<Map.Entry<String, JsonNode>> fields = v.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    AttributeDefinition sub = def.subAttribute(f.getKey());
                    if (sub == null) {
                        throw BadRequestException.invalidSyntax("Unknown attribute '" + path + "." + f.getKey() + "'");
                    }
                    if (sub.isReadOnly()) {
                        continue;
                    }
                    JsonNode sv = single(sub, f.getValue(), path + "." + sub.name());
                    if (sv != null) {
                        out.set(sub.name(), sv);
                    }
                }
                return out.isEmpty() ? null : out;
            }
            case STRING, REFERENCE -> {
                if (!v.isTextual()) {
                    throw BadRequestException.invalidValue("'" + path + "' must be a string");
                }
                if (def.isCanonicalEnforced()) {
                    for (String c : def.canonicalValues()) {
                        if (c.equalsIgnoreCase(v.asText())) {
                            return TextNode.valueOf(c);
                        }
                    }
                    throw BadRequestException.invalidValue("'" + path + "' must be one of " + def.canonicalValues());
                }
                return text(v, path);
            }
            case BOOLEAN -> {
                if (v.isBoolean()) {
                    return v;
                }
                if (v.isTextual()) {
                    String s = v.asText().trim().toLowerCase(Locale.ROOT);
                    if (s.equals("true") || s.equals("false")) {
                        return BooleanNode.valueOf(s.equals("true"));
                    }
                }
                throw BadRequestException.invalidValue("'" + path + "' must be a boolean");
            }
            case INTEGER -> {
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw BadRequestException.invalidValue("'" + path + "' must be an integer");
                }
                return v;
            }
            case DECIMAL -> {
                if (!v.isNumber()) {
                    throw BadRequestException.invalidValue("'" + path + "' must be a number");
                }
                return v;
            }
            case DATE_TIME -> {
                if (!v.isTextual()) {
                    throw BadRequestException.invalidValue("'" + path + "' must be an RFC 3339 dateTime string");
                }
                try {
                    OffsetDateTime.parse(v.asText());
                } catch (DateTimeParseException e) {
                    throw BadRequestException.invalidValue("'" + path + "' must be an RFC 3339 dateTime string");
                }
                return v;
            }
            case BINARY -> {
                if (!v.isTextual()) {
                    throw BadRequestException.invalidValue("'" + path + "' must be base64 text");
                }
                try {
                    // Line breaks (PEM bodies) are allowed; any other character outside the alphabet is not.
                    Base64.getDecoder().decode(v.asText().replaceAll("\\s", ""));
                } catch (IllegalArgumentException e) {
                    throw BadRequestException.invalidValue("'" + path + "' must be base64 text");
                }
                return v;
            }
            default -> throw new IllegalStateException(def.type().name());
        }
    }

    private static JsonNode text(JsonNode v, String path) throws ScimException {
        String s = v.asText();
        if (s.indexOf('\0') >= 0) {
            throw BadRequestException.invalidValue("'" + path + "' contains a NUL character");
        }
        return v instanceof TextNode ? v : TextNode.valueOf(s);
    }

    private static void requireAll(SchemaDefinition schema, ObjectNode out, String prefix) throws ScimException {
        for (AttributeDefinition a : schema.attributes()) {
            if (a.isRequired() && !a.isReadOnly()) {
                JsonNode v = out.get(a.name());
                if (v == null || (v.isTextual() && v.asText().isBlank())) {
                    throw BadRequestException.invalidValue("'" + prefix + a.name() + "' is required");
                }
            }
        }
    }

    static AttributeDefinition attribute(SchemaDefinition schema, String name) {
        AttributeDefinition def = schema.attribute(name);
        if (def != null) {
            return def;
        }
        for (AttributeDefinition c : org.scimflow.scim.schema.CoreSchemas.common()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    private static JsonNode field(JsonNode body, String name) {
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
