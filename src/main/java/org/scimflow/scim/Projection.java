package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.scimflow.scim.schema.AttributeDefinition;
import org.scimflow.scim.schema.AttributeDefinition.Returned;
import org.scimflow.scim.schema.ResourceType;

/**
 * {@code attributes} / {@code excludedAttributes} (RFC 7644 §3.4.2.5) applied to a rendered resource.
 * {@code id} and {@code schemas} are always returned, and so is every attribute whose schema says
 * {@code returned: always}.
 */
public record Projection(List<String> attributes, List<String> excluded) {

    public static final Projection ALL = new Projection(List.of(), List.of());

    /** False when the attribute will not be returned, so the caller can skip loading it. */
    public boolean wants(String attribute) {
        if (!attributes.isEmpty()) {
            return attributes.stream().anyMatch(a -> topLevel(a).equalsIgnoreCase(attribute));
        }
        return excluded.stream().noneMatch(a -> a.equalsIgnoreCase(attribute));
    }

    /**
     * The resource as this projection returns it, honouring each attribute's {@code returned}: "never" is
     * never returned, "request" only when named in {@code attributes}, "always" even when not named or
     * when excluded.
     */
    public ObjectNode apply(ObjectNode resource, ResourceType rt) {
        String coreSchema = rt.schema().id();
        ObjectNode visible = hideByDefinition(resource, rt, coreSchema);
        if (attributes.isEmpty() && excluded.isEmpty()) {
            return visible;
        }
        if (!attributes.isEmpty()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            copy(visible, out, "schemas");
            copy(visible, out, "id");
            for (AttributeDefinition a : rt.schema().attributes()) {
                if (a.returned() == Returned.ALWAYS) {
                    copy(visible, out, a.name());
                }
            }
            for (String a : attributes) {
                include(visible, out, strip(a, coreSchema), urns(rt));
            }
            return out;
        }
        ObjectNode out = visible == resource ? resource.deepCopy() : visible;
        for (String a : excluded) {
            String path = strip(a, coreSchema);
            AttributeDefinition def = rt.schema().attribute(topLevel(path));
            if (def == null || def.returned() != Returned.ALWAYS || path.contains(".")) {
                exclude(out, path, urns(rt));
            }
        }
        return out;
    }

    /** Removes "never" attributes and "request" ones this projection does not name. */
    private ObjectNode hideByDefinition(ObjectNode resource, ResourceType rt, String coreSchema) {
        ObjectNode out = resource;
        for (AttributeDefinition a : rt.schema().attributes()) {
            if (hidden(a, a.name(), coreSchema) && resource.has(a.name())) {
                out = out == resource ? resource.deepCopy() : out;
                out.remove(a.name());
            }
        }
        for (ResourceType.Extension e : rt.extensions()) {
            JsonNode ext = resource.get(e.schema().id());
            if (ext == null || !ext.isObject()) {
                continue;
            }
            for (AttributeDefinition a : e.schema().attributes()) {
                if (ext.has(a.name()) && hidden(a, e.schema().id() + ":" + a.name(), coreSchema)) {
                    out = out == resource ? resource.deepCopy() : out;
                    ObjectNode extOut = (ObjectNode) out.get(e.schema().id());
                    extOut.remove(a.name());
                    if (extOut.isEmpty()) {
                        out.remove(e.schema().id());
                    }
                }
            }
        }
        return out;
    }

    private boolean hidden(AttributeDefinition a, String path, String coreSchema) {
        return a.returned() == Returned.NEVER || (a.returned() == Returned.REQUEST && attributes.stream()
                .map(x -> strip(x, coreSchema))
                .noneMatch(x -> x.equalsIgnoreCase(path) || x.regionMatches(true, 0, path + ".", 0, path.length() + 1)));
    }

    private static void include(ObjectNode from, ObjectNode to, String path, List<String> urns) {
        int urnEnd = urnSplit(path, urns);
        if (urnEnd > 0) {
            String urn = path.substring(0, urnEnd);
            String rest = urnEnd >= path.length() ? "" : path.substring(urnEnd + 1);
            String key = key(from, urn);
            if (key == null) {
                return;
            }
            if (rest.isEmpty()) {
                to.set(key, from.get(key));
                return;
            }
            ObjectNode sub = to.has(key) ? (ObjectNode) to.get(key) : to.putObject(key);
            include((ObjectNode) from.get(key), sub, rest, urns);
            if (sub.isEmpty()) {
                to.remove(key);
            }
            return;
        }
        String[] parts = path.split("\\.", 2);
        String key = key(from, parts[0]);
        if (key == null) {
            return;
        }
        JsonNode v = from.get(key);
        if (parts.length == 1 || !(v.isObject() || v.isArray())) {
            to.set(key, v);
            return;
        }
        if (v.isObject()) {
            ObjectNode sub = to.has(key) && to.get(key).isObject() ? (ObjectNode) to.get(key) : to.putObject(key);
            copy((ObjectNode) v, sub, parts[1]);
            return;
        }
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (JsonNode el : v) {
            if (el.isObject()) {
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                copy((ObjectNode) el, o, parts[1]);
                if (!o.isEmpty()) {
                    arr.add(o);
                }
            }
        }
        if (!arr.isEmpty()) {
            to.set(key, arr);
        }
    }

    private static void exclude(ObjectNode node, String path, List<String> urns) {
        if (path.equalsIgnoreCase("id") || path.equalsIgnoreCase("schemas")) {
            return;
        }
        int urnEnd = urnSplit(path, urns);
        if (urnEnd > 0) {
            String key = key(node, path.substring(0, urnEnd));
            if (key != null) {
                String rest = urnEnd >= path.length() ? "" : path.substring(urnEnd + 1);
                if (rest.isEmpty()) {
                    node.remove(key);
                } else if (node.get(key).isObject()) {
                    exclude((ObjectNode) node.get(key), rest, urns);
                }
            }
            return;
        }
        String[] parts = path.split("\\.", 2);
        String key = key(node, parts[0]);
        if (key == null) {
            return;
        }
        if (parts.length == 1) {
            node.remove(key);
            return;
        }
        JsonNode v = node.get(key);
        if (v.isObject()) {
            removeKey((ObjectNode) v, parts[1]);
        } else if (v.isArray()) {
            v.forEach(el -> {
                if (el.isObject()) {
                    removeKey((ObjectNode) el, parts[1]);
                }
            });
        }
    }

    private static void removeKey(ObjectNode n, String name) {
        String k = key(n, name);
        if (k != null) {
            n.remove(k);
        }
    }

    private static void copy(ObjectNode from, ObjectNode to, String name) {
        String k = key(from, name);
        if (k != null) {
            to.set(k, from.get(k));
        }
    }

    /**
     * Where the schema URN prefix of an attribute path ends (the path's length when it names a whole
     * extension), or -1. Known URNs are matched first: they contain dots ("2.0") and colons of their own.
     */
    private static int urnSplit(String path, List<String> urns) {
        if (!path.regionMatches(true, 0, "urn:", 0, 4)) {
            return -1;
        }
        for (String urn : urns) {
            if (path.equalsIgnoreCase(urn)) {
                return path.length();
            }
            if (path.length() > urn.length() && path.charAt(urn.length()) == ':'
                    && path.regionMatches(true, 0, urn, 0, urn.length())) {
                return urn.length();
            }
        }
        return path.lastIndexOf(':');
    }

    private static List<String> urns(ResourceType rt) {
        return rt.extensions().stream().map(e -> e.schema().id()).toList();
    }

    private static String strip(String path, String coreSchema) {
        String prefix = coreSchema + ":";
        return path.regionMatches(true, 0, prefix, 0, prefix.length()) ? path.substring(prefix.length()) : path;
    }

    private static String topLevel(String path) {
        int dot = path.indexOf('.');
        return dot < 0 ? path : path.substring(0, dot);
    }

    private static String key(ObjectNode n, String name) {
        if (n.has(name)) {
            return name;
        }
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
            String k = it.next().getKey();
            if (k.equalsIgnoreCase(name)) {
                return k;
            }
        }
        return null;
    }
}
