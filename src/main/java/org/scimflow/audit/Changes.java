package org.scimflow.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code changes} of an audit record: one {@code {path, old, new}} entry per attribute that changed,
 * with sensitive values replaced by {@code [REDACTED]}. Complex single-valued attributes (and
 * extensions) are compared one level down, so {@code name.givenName} shows as its own change.
 */
public final class Changes {

    private Changes() { }

    public static ArrayNode diff(ObjectNode before, ObjectNode after, Collection<String> writeOnlySet, Redactor redactor) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        diffObjects("", before, after, out, redactor, true);
        for (String path : writeOnlySet) {
            ObjectNode c = out.addObject();
            c.put("path", path);
            c.set("new", Redactor.REDACTED);
        }
        return out;
    }

    private static void diffObjects(String prefix, ObjectNode before, ObjectNode after, ArrayNode out,
                                    Redactor redactor, boolean descend) {
        Set<String> keys = new LinkedHashSet<>();
        if (before != null) {
            before.fieldNames().forEachRemaining(keys::add);
        }
        if (after != null) {
            after.fieldNames().forEachRemaining(keys::add);
        }
        keys.remove("schemas");
        for (String k : keys) {
            JsonNode o = before == null ? null : before.get(k);
            JsonNode n = after == null ? null : after.get(k);
            if (Objects.equals(o, n)) {
                continue;
            }
            String path = prefix.isEmpty() ? k : (prefix.startsWith("urn:") && prefix.endsWith(":") ? prefix + k : prefix + "." + k);
            boolean objects = (o == null || o.isObject()) && (n == null || n.isObject());
            if (descend && objects) {
                String next = k.startsWith("urn:") ? k + ":" : path;
                diffObjects(next, (ObjectNode) o, (ObjectNode) n, out, redactor, k.startsWith("urn:"));
                continue;
            }
            ObjectNode c = out.addObject();
            c.put("path", path);
            if (o != null) {
                c.set("old", redactor.redact(path, o));
            }
            if (n != null) {
                c.set("new", redactor.redact(path, n));
            }
        }
    }

    /** A change entry for membership lists: which member ids were added and removed. */
    public static void addMembership(ArrayNode out, String path, Collection<String> added, Collection<String> removed) {
        if (added.isEmpty() && removed.isEmpty()) {
            return;
        }
        ObjectNode c = out.addObject();
        c.put("path", path);
        if (!added.isEmpty()) {
            ArrayNode a = c.putArray("added");
            added.forEach(a::add);
        }
        if (!removed.isEmpty()) {
            ArrayNode r = c.putArray("removed");
            removed.forEach(r::add);
        }
    }
}
