package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.filters.EqualFilter;
import com.unboundid.scim2.common.filters.Filter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Recognises a PATCH whose every operation only adds or removes group members, the way identity
 * providers push group membership: {@code add members [..]}, {@code remove members [..]} (Entra ID) and
 * {@code remove members[value eq ".."]} (Okta, RFC 7644). Such a patch is applied as single-row inserts
 * and deletes, without loading the group's other members.
 */
public final class MemberPatch {

    /** Final state per member value, operations applied in order: true = member, false = not. */
    public record Changes(Map<String, Boolean> members, Map<String, String> types) {
        public List<String> added() {
            return members.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        }

        public List<String> removed() {
            return members.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
        }
    }

    private MemberPatch() { }

    /** The member changes, or empty when the patch does anything else (it then takes the general path). */
    public static Optional<Changes> parse(JsonNode body) throws ScimException {
        if (body == null || !body.isObject() || !PatchApplier.isPatchOp(body)) {
            return Optional.empty();
        }
        JsonNode ops = PatchApplier.field(body, "Operations");
        if (ops == null || !ops.isArray() || ops.isEmpty() || ops.size() > PatchApplier.MAX_OPERATIONS) {
            return Optional.empty();
        }
        Map<String, Boolean> state = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (JsonNode op : ops) {
            if (!op.isObject()) {
                return Optional.empty();
            }
            JsonNode opNode = PatchApplier.field(op, "op");
            JsonNode path = PatchApplier.field(op, "path");
            JsonNode value = PatchApplier.field(op, "value");
            if (opNode == null || !opNode.isTextual() || path == null || !path.isTextual()) {
                return Optional.empty();
            }
            String name = opNode.asText().toLowerCase(Locale.ROOT);
            String p = path.asText().trim();
            if (p.equalsIgnoreCase("members") && (name.equals("add") || name.equals("remove"))
                    && value != null && value.isArray() && !value.isEmpty()) {
                for (JsonNode m : value) {
                    JsonNode v = m.isObject() ? PatchApplier.field(m, "value") : null;
                    if (v == null || !v.isTextual()) {
                        return Optional.empty();
                    }
                    state.remove(v.asText());
                    state.put(v.asText(), name.equals("add"));
                    JsonNode type = PatchApplier.field(m, "type");
                    if (name.equals("add") && type != null && type.isTextual()) {
                        types.put(v.asText(), type.asText());
                    }
                }
            } else if (name.equals("remove") && value == null) {
                String id = memberFilterValue(p);
                if (id == null) {
                    return Optional.empty();
                }
                state.remove(id);
                state.put(id, false);
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(new Changes(state, types));
    }

    /** The value of {@code members[value eq "<id>"]}, or null for any other path. */
    private static String memberFilterValue(String text) {
        try {
            Path path = Path.fromString(text);
            if (path.getSchemaUrn() != null && !path.getSchemaUrn().equalsIgnoreCase(
                    org.scimflow.scim.schema.CoreSchemas.GROUP) || path.size() != 1
                    || !path.getElement(0).getAttribute().equalsIgnoreCase("members")) {
                return null;
            }
            Filter f = path.getElement(0).getValueFilter();
            if (f instanceof EqualFilter eq && eq.getAttributePath().size() == 1
                    && eq.getAttributePath().getSchemaUrn() == null
                    && eq.getAttributePath().getElement(0).getAttribute().equalsIgnoreCase("value")
                    && eq.getComparisonValue() != null && eq.getComparisonValue().isTextual()) {
                return eq.getComparisonValue().asText();
            }
            return null;
        } catch (BadRequestException | RuntimeException e) {
            return null;
        }
    }
}
