package org.scimflow.scim.filter;

import java.util.Locale;
import java.util.Map;
import org.scimflow.scim.schema.AttributeDefinition.Type;
import org.scimflow.scim.schema.ResourceType;

/**
 * How one resource type is laid out in SQL: its table (aliased {@code r}), the JSONB column holding the
 * resource, and the attributes that have indexed columns of their own.
 */
public record ResourceTable(ResourceType resourceType, String table, Map<String, Column> columns,
                            MembershipJoin membership) {

    /** An indexed column for an attribute path; {@code lowered} columns already hold lower-cased text. */
    public record Column(String sql, Type type, boolean lowered) { }

    /**
     * A multi-valued attribute stored as rows of {@code scim_group_member}: {@code members} on groups,
     * {@code groups} on users. {@code ownColumn} joins the resource's id; {@code otherColumn} holds the value.
     */
    public record MembershipJoin(String attribute, String ownColumn, String otherColumn) { }

    public Column column(String path) {
        return columns.get(path.toLowerCase(Locale.ROOT));
    }
}
