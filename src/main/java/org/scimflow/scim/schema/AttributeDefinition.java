package org.scimflow.scim.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One attribute of a SCIM schema (RFC 7643 §7), with its sub-attributes when complex. */
public final class AttributeDefinition {

    /** Attribute data types (RFC 7643 §2.3). */
    public enum Type {
        STRING("string"), BOOLEAN("boolean"), DECIMAL("decimal"), INTEGER("integer"), DATE_TIME("dateTime"),
        BINARY("binary"), REFERENCE("reference"), COMPLEX("complex");
        public final String scimName;
        Type(String scimName) { this.scimName = scimName; }
    }

    /** RFC 7643 §7 mutability. */
    public enum Mutability {
        READ_ONLY("readOnly"), READ_WRITE("readWrite"), IMMUTABLE("immutable"), WRITE_ONLY("writeOnly");
        public final String scimName;
        Mutability(String scimName) { this.scimName = scimName; }
    }

    /** RFC 7643 §7 returned. */
    public enum Returned {
        ALWAYS("always"), NEVER("never"), DEFAULT("default"), REQUEST("request");
        public final String scimName;
        Returned(String scimName) { this.scimName = scimName; }
    }

    /** RFC 7643 §7 uniqueness. */
    public enum Uniqueness {
        NONE("none"), SERVER("server"), GLOBAL("global");
        public final String scimName;
        Uniqueness(String scimName) { this.scimName = scimName; }
    }

    private final String name;
    private final Type type;
    private boolean multiValued;
    private boolean required;
    private boolean caseExact;
    private Mutability mutability = Mutability.READ_WRITE;
    private Returned returned = Returned.DEFAULT;
    private Uniqueness uniqueness = Uniqueness.NONE;
    private String description = "";
    private List<String> canonicalValues = List.of();
    private List<String> referenceTypes = List.of();
    private boolean canonicalEnforced;
    private final Map<String, AttributeDefinition> subAttributes = new LinkedHashMap<>();

    private AttributeDefinition(String name, Type type) {
        this.name = name;
        this.type = type;
    }

    public static AttributeDefinition of(String name, Type type) {
        return new AttributeDefinition(name, type);
    }

    public static AttributeDefinition string(String name) {
        return new AttributeDefinition(name, Type.STRING);
    }

    public static AttributeDefinition complex(String name, AttributeDefinition... subs) {
        AttributeDefinition a = new AttributeDefinition(name, Type.COMPLEX);
        for (AttributeDefinition s : subs) {
            a.subAttributes.put(s.name.toLowerCase(Locale.ROOT), s);
        }
        return a;
    }

    public AttributeDefinition multiValued() { multiValued = true; return this; }
    public AttributeDefinition required() { required = true; return this; }
    public AttributeDefinition caseExact() { caseExact = true; return this; }
    public AttributeDefinition mutability(Mutability m) { mutability = m; return this; }
    public AttributeDefinition readOnly() { mutability = Mutability.READ_ONLY; return this; }
    public AttributeDefinition immutable() { mutability = Mutability.IMMUTABLE; return this; }
    public AttributeDefinition returned(Returned r) { returned = r; return this; }
    public AttributeDefinition uniqueness(Uniqueness u) { uniqueness = u; return this; }
    public AttributeDefinition description(String d) { description = d; return this; }
    public AttributeDefinition canonical(String... values) { canonicalValues = List.of(values); return this; }
    public AttributeDefinition referenceTypes(String... types) { referenceTypes = List.of(types); return this; }
    /** Values outside {@link #canonicalValues()} are rejected (core schemas only suggest theirs). */
    public AttributeDefinition enforceCanonical() { canonicalEnforced = true; return this; }

    public String name() { return name; }
    public Type type() { return type; }
    public boolean isMultiValued() { return multiValued; }
    public boolean isRequired() { return required; }
    public boolean isCaseExact() { return caseExact; }
    public Mutability mutability() { return mutability; }
    public Returned returned() { return returned; }
    public Uniqueness uniqueness() { return uniqueness; }
    public String description() { return description; }
    public List<String> canonicalValues() { return canonicalValues; }
    public List<String> referenceTypes() { return referenceTypes; }
    public boolean isReadOnly() { return mutability == Mutability.READ_ONLY; }
    public boolean isCanonicalEnforced() { return canonicalEnforced; }

    public Map<String, AttributeDefinition> subAttributes() {
        return Collections.unmodifiableMap(subAttributes);
    }

    /** Sub-attribute by name, case-insensitively (SCIM attribute names are case-insensitive). */
    public AttributeDefinition subAttribute(String n) {
        return subAttributes.get(n.toLowerCase(Locale.ROOT));
    }

    public List<AttributeDefinition> subAttributeList() {
        return new ArrayList<>(subAttributes.values());
    }
}
