package org.scimflow.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Decides which attribute values never leave the hub in clear: {@code password} and configured ones. */
public final class Redactor {

    public static final TextNode REDACTED = TextNode.valueOf("[REDACTED]");
    private final Set<String> names = new TreeSet<>();

    public Redactor(Collection<String> configured) {
        names.add("password");
        configured.forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
    }

    /** True if the attribute path (e.g. {@code password}, {@code urn:...:User:ssn}, {@code x.y}) is sensitive. */
    public boolean isSensitive(String path) {
        if (path == null) {
            return false;
        }
        String p = path.toLowerCase(Locale.ROOT);
        if (names.contains(p)) {
            return true;
        }
        int colon = p.lastIndexOf(':');
        String local = colon >= 0 ? p.substring(colon + 1) : p;
        int bracket = local.indexOf('[');
        if (bracket >= 0) {
            local = local.substring(0, bracket);
        }
        for (String part : local.split("\\.")) {
            if (names.contains(part)) {
                return true;
            }
        }
        return false;
    }

    public JsonNode redact(String path, JsonNode value) {
        return value == null || !isSensitive(path) ? value : REDACTED;
    }
}
