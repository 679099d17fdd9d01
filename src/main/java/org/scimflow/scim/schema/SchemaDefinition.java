package org.scimflow.scim.schema;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A SCIM schema: its URN, name and attributes. */
public final class SchemaDefinition {

    private final String id;
    private final String name;
    private final String description;
    private final Map<String, AttributeDefinition> attributes = new LinkedHashMap<>();

    public SchemaDefinition(String id, String name, String description, AttributeDefinition... attrs) {
        this.id = id;
        this.name = name;
        this.description = description;
        for (AttributeDefinition a : attrs) {
            attributes.put(a.name().toLowerCase(Locale.ROOT), a);
        }
    }

    public String id() { return id; }
    public String name() { return name; }
    public String description() { return description; }

    public AttributeDefinition attribute(String attrName) {
        return attributes.get(attrName.toLowerCase(Locale.ROOT));
    }

    public Collection<AttributeDefinition> attributes() {
        return Collections.unmodifiableCollection(attributes.values());
    }
}
