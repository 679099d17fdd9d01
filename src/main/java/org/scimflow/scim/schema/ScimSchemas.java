package org.scimflow.scim.schema;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.scim.schema.AttributeDefinition.Mutability;
import org.scimflow.scim.schema.AttributeDefinition.Returned;
import org.scimflow.scim.schema.AttributeDefinition.Type;
import org.scimflow.scim.schema.AttributeDefinition.Uniqueness;

/**
 * The resource types this hub serves: the RFC 7643 core schemas plus the extensions declared under
 * {@code scimflow.scim.extensions}. Validation, filters, PATCH, sorting and the discovery endpoints all
 * read from here, so they cannot disagree.
 */
public final class ScimSchemas {

    /** RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar); "$ref" is the one reserved exception. */
    private static final Pattern ATTRNAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
    // URNs and attribute names end up inside SQL string literals (JSONB keys): no quotes, no backslashes.
    private static final Pattern URN = Pattern.compile("urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[\\x21-\\x7e&&[^/?#\\[\\]\"'\\\\]]+");

    private final ResourceType user;
    private final ResourceType group;

    private ScimSchemas(ResourceType user, ResourceType group) {
        this.user = user;
        this.group = group;
    }

    /** Core schemas and Enterprise User only. */
    public static ScimSchemas core() {
        return from(List.of());
    }

    /** Core schemas plus the configured extensions; a bad declaration stops the hub with a clear message. */
    public static ScimSchemas from(List<ScimflowProperties.Extension> configured) {
        List<ResourceType.Extension> userExt = new ArrayList<>(List.of(new ResourceType.Extension(CoreSchemas.enterpriseUser(), false)));
        List<ResourceType.Extension> groupExt = new ArrayList<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (String core : List.of(CoreSchemas.USER, CoreSchemas.GROUP, CoreSchemas.ENTERPRISE_USER)) {
            seen.put(core.toLowerCase(Locale.ROOT), core);
        }
        for (ScimflowProperties.Extension e : configured) {
            String where = "scimflow.scim.extensions[" + e.getSchema() + "]";
            if (e.getSchema() == null || !URN.matcher(e.getSchema()).matches()) {
                throw new IllegalArgumentException(where + ": 'schema' must be a URN (urn:...)");
            }
            if (seen.put(e.getSchema().toLowerCase(Locale.ROOT), e.getSchema()) != null) {
                throw new IllegalArgumentException(where + ": schema declared twice");
            }
            if (e.getAttributes().isEmpty()) {
                throw new IllegalArgumentException(where + ": an extension needs at least one attribute");
            }
            List<AttributeDefinition> attrs = new ArrayList<>();
            for (ScimflowProperties.Attribute a : e.getAttributes()) {
                attrs.add(attribute(a, where, true));
            }
            unique(attrs, where);
            SchemaDefinition schema = new SchemaDefinition(e.getSchema(),
                    e.getName() == null || e.getName().isBlank() ? lastSegment(e.getSchema()) : e.getName(),
                    e.getDescription() == null ? "" : e.getDescription(), attrs.toArray(AttributeDefinition[]::new));
            ResourceType.Extension ext = new ResourceType.Extension(schema, e.isRequired());
            switch (String.valueOf(e.getResourceType()).toLowerCase(Locale.ROOT)) {
                case "user" -> userExt.add(ext);
                case "group" -> groupExt.add(ext);
                default -> throw new IllegalArgumentException(where + ": resourceType must be User or Group");
            }
        }
        return new ScimSchemas(
                new ResourceType("User", "/Users", "User Account", CoreSchemas.user(), List.copyOf(userExt)),
                new ResourceType("Group", "/Groups", "Group", CoreSchemas.group(), List.copyOf(groupExt)));
    }

    public ResourceType user() { return user; }
    public ResourceType group() { return group; }

    public List<ResourceType> resourceTypes() {
        return List.of(user, group);
    }

    /** Every schema served, core first, each once. */
    public Collection<SchemaDefinition> schemas() {
        Map<String, SchemaDefinition> out = new LinkedHashMap<>();
        for (ResourceType rt : resourceTypes()) {
            out.putIfAbsent(rt.schema().id(), rt.schema());
        }
        for (ResourceType rt : resourceTypes()) {
            rt.extensions().forEach(e -> out.putIfAbsent(e.schema().id(), e.schema()));
        }
        return out.values();
    }

    /** The schema with this URN (case-insensitively), or null. */
    public SchemaDefinition schema(String urn) {
        return schemas().stream().filter(s -> s.id().equalsIgnoreCase(urn)).findFirst().orElse(null);
    }

    private static AttributeDefinition attribute(ScimflowProperties.Attribute a, String where, boolean topLevel) {
        String name = a.getName();
        if (name == null || !ATTRNAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + ": attribute name '" + name + "' is not a SCIM ATTRNAME");
        }
        String at = where + "." + name;
        Type type = parse(Type.values(), a.getType(), at, "type", t -> t.scimName);
        AttributeDefinition def;
        if (type == Type.COMPLEX) {
            if (!topLevel) {
                throw new IllegalArgumentException(at + ": complex attributes cannot nest (RFC 7643 §2.3.8)");
            }
            if (a.getSubAttributes().isEmpty()) {
                throw new IllegalArgumentException(at + ": a complex attribute needs subAttributes");
            }
            List<AttributeDefinition> subs = new ArrayList<>();
            for (ScimflowProperties.Attribute s : a.getSubAttributes()) {
                subs.add(attribute(s, at, false));
            }
            unique(subs, at);
            def = AttributeDefinition.complex(name, subs.toArray(AttributeDefinition[]::new));
        } else {
            if (!a.getSubAttributes().isEmpty()) {
                throw new IllegalArgumentException(at + ": only complex attributes have subAttributes");
            }
            def = AttributeDefinition.of(name, type);
        }
        if (a.isMultiValued()) {
            def.multiValued();
        }
        if (a.isRequired()) {
            def.required();
        }
        if (a.isCaseExact()) {
            def.caseExact();
        }
        def.mutability(parse(Mutability.values(), a.getMutability(), at, "mutability", m -> m.scimName));
        def.returned(parse(Returned.values(), a.getReturned(), at, "returned", r -> r.scimName));
        def.uniqueness(parse(Uniqueness.values(), a.getUniqueness(), at, "uniqueness", u -> u.scimName));
        def.description(a.getDescription() == null ? "" : a.getDescription());
        if (!a.getCanonicalValues().isEmpty()) {
            if (type != Type.STRING) {
                throw new IllegalArgumentException(at + ": canonicalValues apply to string attributes only");
            }
            def.canonical(a.getCanonicalValues().toArray(String[]::new)).enforceCanonical();
        }
        return def;
    }

    private static void unique(List<AttributeDefinition> attrs, String where) {
        Map<String, Boolean> names = new LinkedHashMap<>();
        for (AttributeDefinition d : attrs) {
            if (names.put(d.name().toLowerCase(Locale.ROOT), true) != null) {
                throw new IllegalArgumentException(where + ": attribute '" + d.name() + "' declared twice");
            }
        }
    }

    private static <E> E parse(E[] values, String text, String where, String what,
                               java.util.function.Function<E, String> scimName) {
        for (E v : values) {
            if (scimName.apply(v).equalsIgnoreCase(String.valueOf(text))) {
                return v;
            }
        }
        List<String> allowed = java.util.Arrays.stream(values).map(scimName).toList();
        throw new IllegalArgumentException(where + ": " + what + " '" + text + "' is not one of " + allowed);
    }

    private static String lastSegment(String urn) {
        return urn.substring(urn.lastIndexOf(':') + 1);
    }
}
