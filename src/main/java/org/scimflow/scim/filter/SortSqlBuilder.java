package org.scimflow.scim.filter;

import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import org.scimflow.scim.schema.AttributeDefinition;
import org.scimflow.scim.schema.AttributeDefinition.Type;
import org.scimflow.scim.schema.SchemaDefinition;

/** {@code sortBy}/{@code sortOrder} (RFC 7644 §3.4.2.3) as a SQL ORDER BY with a stable tie-breaker. */
public final class SortSqlBuilder {

    private final ResourceTable table;

    public SortSqlBuilder(ResourceTable table) {
        this.table = table;
    }

    /** Whether an index orders by {@code sortBy} (no sortBy: creation order, which has one). */
    public boolean indexed(String sortBy) {
        if (sortBy == null) {
            return true;
        }
        ResourceTable.Column col = table.column(sortBy.toLowerCase(java.util.Locale.ROOT));
        return col != null && col.index() != ResourceTable.Index.NONE;
    }

    /**
     * The ORDER BY for {@code sortBy}; without one, creation order. Columns that cannot be null sort
     * without a NULLS clause and unique ones without the id tie-breaker, so their indexes serve the sort.
     */
    public String orderBy(String sortBy, boolean descending) throws ScimException {
        String plain = descending ? " desc" : " asc";
        String dir = descending ? " desc nulls last" : " asc nulls last";
        if (sortBy == null) {
            return "r.created" + plain + ", r.id" + plain;
        }
        Path path;
        try {
            path = Path.fromString(sortBy);
        } catch (BadRequestException | RuntimeException e) {
            throw BadRequestException.invalidValue("Cannot sort by '" + sortBy + "'");
        }
        ResourceTable.Column col = path.getSchemaUrn() == null && path.size() >= 1 && path.size() <= 2
                && path.getElement(0).getValueFilter() == null
                ? table.column(path.size() == 2 ? path.getElement(0).getAttribute() + "." + path.getElement(1).getAttribute()
                        : path.getElement(0).getAttribute()) : null;
        String expr = expression(path, sortBy);
        if (col != null && col.unique() && !col.nullable()) {
            return expr + plain;
        }
        return expr + (col != null && !col.nullable() ? plain : dir) + ", r.id" + plain;
    }

    private String expression(Path path, String text) throws ScimException {
        if (path.size() == 0 || path.size() > 2 || path.getElement(0).getValueFilter() != null) {
            throw BadRequestException.invalidValue("Cannot sort by '" + text + "'");
        }
        String first = path.getElement(0).getAttribute();
        String dotted = path.size() == 2 ? first + "." + path.getElement(1).getAttribute() : first;
        SchemaDefinition schema = table.resourceType().schema();
        String root = "r.resource";
        if (path.getSchemaUrn() != null) {
            SchemaDefinition ext = table.resourceType().extension(path.getSchemaUrn());
            if (ext != null) {
                schema = ext;
                root = "(r.resource -> '" + ext.id() + "')";
            } else if (!schema.id().equalsIgnoreCase(path.getSchemaUrn())) {
                throw BadRequestException.invalidValue("Unknown schema in sortBy '" + text + "'");
            }
        } else {
            ResourceTable.Column col = table.column(dotted);
            if (col != null) {
                return col.type() == Type.STRING && !col.lowered() && !col.sql().equals("r.id")
                        && !col.sql().equals("r.external_id") ? "lower(" + col.sql() + ")" : col.sql();
            }
        }
        AttributeDefinition def = schema.attribute(first);
        if (def == null || def.mutability() == AttributeDefinition.Mutability.WRITE_ONLY) {
            throw BadRequestException.invalidValue("Cannot sort by '" + text + "'");
        }
        AttributeDefinition leaf = def;
        String sub = null;
        if (path.size() == 2) {
            leaf = def.subAttribute(path.getElement(1).getAttribute());
            if (leaf == null) {
                throw BadRequestException.invalidValue("Cannot sort by '" + text + "'");
            }
            sub = leaf.name();
        } else if (def.type() == Type.COMPLEX) {
            if (!def.isMultiValued() || def.subAttribute("value") == null) {
                throw BadRequestException.invalidValue("Cannot sort by complex '" + text + "'");
            }
            sub = "value";
            leaf = def.subAttribute("value");
        }
        String expr;
        if (def.isMultiValued()) {
            // RFC 7644: a multi-valued attribute sorts by its primary (else first) value.
            expr = "(select x ->> '" + sub + "' from jsonb_array_elements(coalesce(" + root + " -> '" + def.name()
                    + "', '[]'::jsonb)) with ordinality as t(x, n) order by (x ->> 'primary')::boolean desc nulls last, n limit 1)";
        } else if (sub != null) {
            expr = root + " -> '" + def.name() + "' ->> '" + sub + "'";
        } else {
            expr = root + " ->> '" + def.name() + "'";
        }
        return switch (leaf.type()) {
            case INTEGER, DECIMAL -> "(" + expr + ")::numeric";
            case DATE_TIME -> "(" + expr + ")::timestamptz";
            case BOOLEAN -> "(" + expr + ")::boolean";
            default -> leaf.isCaseExact() ? "(" + expr + ")" : "lower(" + expr + ")";
        };
    }
}
