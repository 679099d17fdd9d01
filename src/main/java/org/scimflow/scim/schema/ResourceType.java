package org.scimflow.scim.schema;

import java.util.List;
import java.util.Locale;

/** A SCIM resource type (RFC 7643 §6): endpoint, core schema and extensions. */
public record ResourceType(String name, String endpoint, String description, SchemaDefinition schema,
                           List<Extension> extensions) {

    /** A schema extension of a resource type. */
    public record Extension(SchemaDefinition schema, boolean required) { }

    /** Extension by URN, case-insensitively, or null. */
    public SchemaDefinition extension(String urn) {
        for (Extension e : extensions) {
            if (e.schema().id().equalsIgnoreCase(urn)) {
                return e.schema();
            }
        }
        return null;
    }

    /** The schema a URN names on this resource type (core or extension), or null. */
    public SchemaDefinition schemaFor(String urn) {
        if (schema.id().equalsIgnoreCase(urn)) {
            return schema;
        }
        return extension(urn);
    }

    public boolean isUser() {
        return name.toLowerCase(Locale.ROOT).equals("user");
    }
}
