package org.scimflow.scim.filter;

import java.util.Locale;
import java.util.Map;
import org.scimflow.scim.schema.AttributeDefinition.Type;
import org.scimflow.scim.schema.ResourceType;

/**
 * How one resource type is laid out in SQL: its table (aliased {@code r}), the JSONB column holding the
 * resource, the attributes that have indexed columns of their own, and the multi-valued attributes whose
 * lower-cased values a GIN index holds ({@code valueIndexes}: attribute to the indexed SQL function).
 */
public record ResourceTable(ResourceType resourceType, String table, Map<String, Column> columns,
                            MembershipJoin membership, Map<String, String> valueIndexes) {

    /**
     * A column for an attribute path. {@code lowered}: it already holds lower-cased text. {@code index}:
     * which lookups an index serves. {@code nullable}: may be null (sorting then needs "nulls last").
     * {@code unique}: sorting by it needs no tie-breaker.
     */
    public record Column(String sql, Type type, boolean lowered, Index index, boolean nullable, boolean unique) { }

    /** Which filter operators an index on a column can answer without scanning the table. */
    public enum Index {
        /** No index, or one too unselective to narrow a search (a boolean). */
        NONE,
        /** A b-tree: eq, sw and ranges. */
        BTREE,
        /** A b-tree and a trigram index: also co and ew. */
        TRIGRAM
    }

    /**
     * A multi-valued attribute stored as rows of {@code scim_group_member}: {@code members} on groups,
     * {@code groups} on users. {@code ownColumn} joins the resource's id; {@code otherColumn} holds the value.
     */
    public record MembershipJoin(String attribute, String ownColumn, String otherColumn) { }

    public Column column(String path) {
        return columns.get(path.toLowerCase(Locale.ROOT));
    }

    /** {@code scim_user}: the columns migrations V1 and V4 index. */
    public static ResourceTable users(ResourceType rt) {
        return new ResourceTable(rt, "scim_user", Map.of(
                "id", new Column("r.id", Type.STRING, false, Index.BTREE, false, true),
                "username", new Column("r.user_name_lc", Type.STRING, true, Index.TRIGRAM, false, true),
                "externalid", new Column("r.external_id", Type.STRING, false, Index.BTREE, true, false),
                "displayname", new Column("lower(r.display_name)", Type.STRING, true, Index.TRIGRAM, true, false),
                "active", new Column("r.active", Type.BOOLEAN, false, Index.NONE, true, false),
                "meta.created", new Column("r.created", Type.DATE_TIME, false, Index.BTREE, false, false),
                "meta.lastmodified", new Column("r.last_modified", Type.DATE_TIME, false, Index.BTREE, false, false)),
                new MembershipJoin("groups", "member_id", "group_id"), Map.of("emails", "scim_email_values"));
    }

    /** {@code scim_group}; members live in {@code scim_group_member}. */
    public static ResourceTable groups(ResourceType rt) {
        return new ResourceTable(rt, "scim_group", Map.of(
                "id", new Column("r.id", Type.STRING, false, Index.BTREE, false, true),
                "displayname", new Column("lower(r.display_name)", Type.STRING, true, Index.TRIGRAM, false, false),
                "externalid", new Column("r.external_id", Type.STRING, false, Index.BTREE, true, false),
                "meta.created", new Column("r.created", Type.DATE_TIME, false, Index.BTREE, false, false),
                "meta.lastmodified", new Column("r.last_modified", Type.DATE_TIME, false, Index.BTREE, false, false)),
                new MembershipJoin("members", "group_id", "member_id"), Map.of());
    }
}
