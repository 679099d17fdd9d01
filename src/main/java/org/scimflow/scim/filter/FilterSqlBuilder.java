package org.scimflow.scim.filter;

import com.fasterxml.jackson.databind.node.ValueNode;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.filters.AndFilter;
import com.unboundid.scim2.common.filters.ComparisonFilter;
import com.unboundid.scim2.common.filters.ComplexValueFilter;
import com.unboundid.scim2.common.filters.ContainsFilter;
import com.unboundid.scim2.common.filters.EndsWithFilter;
import com.unboundid.scim2.common.filters.EqualFilter;
import com.unboundid.scim2.common.filters.Filter;
import com.unboundid.scim2.common.filters.FilterVisitor;
import com.unboundid.scim2.common.filters.GreaterThanFilter;
import com.unboundid.scim2.common.filters.GreaterThanOrEqualFilter;
import com.unboundid.scim2.common.filters.LessThanFilter;
import com.unboundid.scim2.common.filters.LessThanOrEqualFilter;
import com.unboundid.scim2.common.filters.NotEqualFilter;
import com.unboundid.scim2.common.filters.NotFilter;
import com.unboundid.scim2.common.filters.OrFilter;
import com.unboundid.scim2.common.filters.PresentFilter;
import com.unboundid.scim2.common.filters.StartsWithFilter;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.scimflow.scim.schema.AttributeDefinition;
import org.scimflow.scim.schema.AttributeDefinition.Type;
import org.scimflow.scim.schema.SchemaDefinition;

/**
 * Translates a parsed SCIM filter (RFC 7644 §3.4.2.2) into a SQL condition with bound parameters.
 *
 * <p>Indexed attributes map to their columns; every other attribute maps to a JSONB expression on the
 * stored resource; multi-valued attributes become {@code EXISTS} over their elements. Case sensitivity
 * follows each attribute's {@code caseExact}. Values are never spliced into SQL.
 */
public final class FilterSqlBuilder {

    public static final int MAX_FILTER_LENGTH = 4096;
    public static final int MAX_DEPTH = 16;

    private final ResourceTable table;

    public FilterSqlBuilder(ResourceTable table) {
        this.table = table;
    }

    /** Parses and translates {@code filter}; 400 {@code invalidFilter} for anything malformed or unknown. */
    public SqlFilter build(String filter) throws ScimException {
        if (filter == null || filter.isBlank()) {
            return SqlFilter.TRUE;
        }
        if (filter.length() > MAX_FILTER_LENGTH) {
            throw BadRequestException.invalidFilter("filter longer than " + MAX_FILTER_LENGTH + " characters");
        }
        requireBalanced(filter);
        requireStorableText(filter);
        Filter parsed;
        try {
            parsed = Filter.fromString(inlineValuePathComparisons(filter));
        } catch (BadRequestException e) {
            throw e;
        } catch (RuntimeException e) {
            throw BadRequestException.invalidFilter("unparseable filter");
        }
        return build(parsed);
    }

    /**
     * The filter's text, with its JSON escapes ({@code \\uXXXX}) read as the parser will read them, must be
     * text PostgreSQL can hold as given: no NUL (a literal with one could only fail in the database) and no
     * half of a surrogate pair (the driver would send "?", and the filter would match that instead).
     */
    static void requireStorableText(String filter) throws BadRequestException {
        boolean highPending = false;
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (c == '\\' && i + 5 < filter.length() && (filter.charAt(i + 1) == 'u' || filter.charAt(i + 1) == 'U')
                    && isHex(filter, i + 2, i + 6)) {
                c = (char) Integer.parseInt(filter.substring(i + 2, i + 6), 16);
                i += 5;
            } else if (c == '\\' && i + 1 < filter.length()) {
                c = filter.charAt(++i);
            }
            if (c == '\0') {
                throw BadRequestException.invalidFilter("a filter cannot contain the NUL character");
            }
            // A low surrogate exactly when a high one came just before it.
            if (highPending != Character.isLowSurrogate(c)) {
                throw BadRequestException.invalidFilter("a filter cannot hold half a surrogate pair: it is not Unicode text");
            }
            highPending = Character.isHighSurrogate(c);
        }
        if (highPending) {
            throw BadRequestException.invalidFilter("a filter cannot hold half a surrogate pair: it is not Unicode text");
        }
    }

    private static boolean isHex(String s, int from, int to) {
        if (to > s.length()) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    public SqlFilter build(Filter filter) throws ScimException {
        List<Object> params = new ArrayList<>();
        String sql = filter.visit(new Translator(params), new Scope(null, null, 0));
        return new SqlFilter(sql, params, filter.visit(new Narrowing(), null));
    }

    /** Where a path is resolved: at the resource root, or inside one element ({@code alias}) of a multi-valued attribute. */
    private record Scope(AttributeDefinition parent, String alias, int depth) {
        Scope deeper() throws ScimException {
            if (depth + 1 > MAX_DEPTH) {
                throw BadRequestException.invalidFilter("filter nested deeper than " + MAX_DEPTH);
            }
            return new Scope(parent, alias, depth + 1);
        }
    }

    /** A resolved attribute: its definition, a SQL text expression, and the array it lives in, if any. */
    private record Target(AttributeDefinition def, String expr, String arrayExpr, boolean lowered,
                          ResourceTable.MembershipJoin membership, ResourceTable.Column column) {
        Target(AttributeDefinition def, String expr, String arrayExpr, boolean lowered,
               ResourceTable.MembershipJoin membership) {
            this(def, expr, arrayExpr, lowered, membership, null);
        }
    }

    private final class Translator implements FilterVisitor<String, Scope> {
        private final List<Object> params;
        private int aliasCounter;

        Translator(List<Object> params) {
            this.params = params;
        }

        @Override public String visit(EqualFilter f, Scope s) throws ScimException { return compare(f, "eq", s); }
        @Override public String visit(NotEqualFilter f, Scope s) throws ScimException { return compare(f, "ne", s); }
        @Override public String visit(ContainsFilter f, Scope s) throws ScimException { return compare(f, "co", s); }
        @Override public String visit(StartsWithFilter f, Scope s) throws ScimException { return compare(f, "sw", s); }
        @Override public String visit(EndsWithFilter f, Scope s) throws ScimException { return compare(f, "ew", s); }
        @Override public String visit(GreaterThanFilter f, Scope s) throws ScimException { return compare(f, "gt", s); }
        @Override public String visit(GreaterThanOrEqualFilter f, Scope s) throws ScimException { return compare(f, "ge", s); }
        @Override public String visit(LessThanFilter f, Scope s) throws ScimException { return compare(f, "lt", s); }
        @Override public String visit(LessThanOrEqualFilter f, Scope s) throws ScimException { return compare(f, "le", s); }

        @Override
        public String visit(AndFilter f, Scope s) throws ScimException {
            return combine(f.getCombinedFilters(), " and ", s);
        }

        @Override
        public String visit(OrFilter f, Scope s) throws ScimException {
            return combine(f.getCombinedFilters(), " or ", s);
        }

        @Override
        public String visit(NotFilter f, Scope s) throws ScimException {
            return "not coalesce((" + f.getInvertedFilter().visit(this, s.deeper()) + "), false)";
        }

        @Override
        public String visit(PresentFilter f, Scope s) throws ScimException {
            Target t = resolve(f.getAttributePath(), s);
            if (t.membership() != null) {
                return membershipExists(t.membership(), "true");
            }
            String cond;
            if (t.def().isMultiValued() && t.arrayExpr() == null) {
                cond = "jsonb_array_length(coalesce(" + t.expr() + ", '[]'::jsonb)) > 0";
            } else if (t.def().type() == Type.COMPLEX && t.arrayExpr() == null) {
                cond = "(" + t.expr() + ") is not null";
            } else {
                cond = present(t);
            }
            return wrapArray(t, cond);
        }

        @Override
        public String visit(ComplexValueFilter f, Scope s) throws ScimException {
            if (s.parent() != null) {
                throw BadRequestException.invalidFilter("value filters cannot be nested");
            }
            Path path = f.getAttributePath();
            Target t = resolve(path, s);
            if (!t.def().isMultiValued() || t.def().type() != Type.COMPLEX) {
                throw BadRequestException.invalidFilter("'" + path + "' is not a multi-valued complex attribute");
            }
            if (t.membership() != null) {
                return membershipFilter(t.membership(), f.getValueFilter(), s);
            }
            String alias = "e" + (++aliasCounter);
            String indexed = valueIndexCondition(path, valueEquals(f.getValueFilter()));
            String inner = f.getValueFilter().visit(this, new Scope(t.def(), alias, s.depth() + 1));
            return indexed + "exists (select 1 from jsonb_array_elements(coalesce(" + t.expr() + ", '[]'::jsonb)) "
                    + alias + " where " + inner + ")";
        }

        /**
         * {@code fn(r.resource) @> array[value] and } when the attribute has a value index (V4) and the
         * filter pins its value; binds the parameter, so call it before translating what follows.
         */
        private String valueIndexCondition(Path path, String value) {
            String fn = path.getSchemaUrn() == null ? table.valueIndexes().get(
                    path.getElement(0).getAttribute().toLowerCase(Locale.ROOT)) : null;
            if (fn == null || value == null) {
                return "";
            }
            params.add(value.toLowerCase(Locale.ROOT));
            return fn + "(r.resource) @> array[?]::text[] and ";
        }

        private String combine(List<Filter> filters, String op, Scope s) throws ScimException {
            Scope d = s.deeper();
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < filters.size(); i++) {
                if (i > 0) {
                    sb.append(op);
                }
                sb.append(filters.get(i).visit(this, d));
            }
            return sb.append(')').toString();
        }

        private String compare(ComparisonFilter f, String op, Scope s) throws ScimException {
            Target t = resolve(f.getAttributePath(), s);
            ValueNode value = f.getComparisonValue();
            if (t.membership() != null) {
                if (!op.equals("eq")) {
                    throw BadRequestException.invalidFilter("only 'eq' is supported on " + t.membership().attribute());
                }
                return membershipExists(t.membership(), bindUuidEquals("m." + t.membership().otherColumn(), value));
            }
            AttributeDefinition def = t.def();
            if (def.type() == Type.COMPLEX) {
                // RFC 7644: a complex multi-valued attribute compared directly means its "value".
                AttributeDefinition valueDef = def.subAttribute("value");
                if (valueDef == null) {
                    throw BadRequestException.invalidFilter("'" + f.getAttributePath() + "' is complex");
                }
                if (!def.isMultiValued()) {
                    // A single complex attribute (the enterprise manager) holds one object: compare its "value".
                    return condition(new Target(valueDef, "(" + t.expr() + ") ->> 'value'", null, false, null), op, value);
                }
                String alias = "e" + (++aliasCounter);
                Target inner = new Target(valueDef, alias + "->>'value'", null, false, null);
                return "exists (select 1 from jsonb_array_elements(coalesce(" + t.expr() + ", '[]'::jsonb)) "
                        + alias + " where " + condition(inner, op, value) + ")";
            }
            String indexed = "";
            Path p = f.getAttributePath();
            if (op.equals("eq") && t.arrayExpr() != null && p.size() == 2
                    && p.getElement(1).getAttribute().equalsIgnoreCase("value") && value != null && value.isTextual()) {
                indexed = valueIndexCondition(p, value.asText());
            }
            return indexed + wrapArray(t, condition(t, op, value));
        }

        private String wrapArray(Target t, String cond) {
            if (t.arrayExpr() == null) {
                return cond;
            }
            return "exists (select 1 from jsonb_array_elements(coalesce(" + t.arrayExpr() + ", '[]'::jsonb)) e"
                    + " where " + cond + ")";
        }

        /**
         * The attribute has a value: not null, and for text not empty. Columns of other types (active,
         * meta.created, the id) are compared with null only: '' is no boolean, timestamp or uuid.
         */
        private static String present(Target t) {
            boolean text = t.column() == null || t.column().type() == Type.STRING && !t.expr().equals("r.id");
            return text ? "nullif(" + t.expr() + ", '') is not null" : "(" + t.expr() + ") is not null";
        }

        private String condition(Target t, String op, ValueNode value) throws ScimException {
            AttributeDefinition def = t.def();
            String expr = t.expr();
            if (value == null || value.isNull()) {
                if (op.equals("eq")) {
                    return "not (" + present(t) + ")";
                }
                if (op.equals("ne")) {
                    return present(t);
                }
                throw BadRequestException.invalidFilter("null can only be compared with eq or ne");
            }
            if (expr.equals("r.id")) {
                return idCondition(op, value);
            }
            return switch (def.type()) {
                case STRING, REFERENCE, BINARY -> stringCondition(t, op, value);
                case BOOLEAN -> {
                    if (!value.isBoolean() || !(op.equals("eq") || op.equals("ne"))) {
                        throw BadRequestException.invalidFilter("'" + def.name() + "' is boolean: use eq or ne with true or false");
                    }
                    String b = t.column() != null ? expr : "(" + expr + ")::boolean";
                    params.add(value.booleanValue());
                    yield op.equals("eq") ? b + " = ?" : "(" + b + " is null or " + b + " <> ?)";
                }
                case INTEGER, DECIMAL -> {
                    if (!value.isNumber()) {
                        throw BadRequestException.invalidFilter("'" + def.name() + "' is numeric");
                    }
                    yield ordered("(" + expr + ")::numeric", op, value.decimalValue());
                }
                case DATE_TIME -> {
                    OffsetDateTime when;
                    try {
                        when = OffsetDateTime.parse(value.asText());
                    } catch (DateTimeParseException e) {
                        throw BadRequestException.invalidFilter("'" + def.name() + "' needs an RFC 3339 dateTime");
                    }
                    // RFC 3339 years have four digits; beyond them the database has no such time either.
                    if (when.getYear() < 0 || when.getYear() > 9999) {
                        throw BadRequestException.invalidFilter("'" + def.name() + "' needs an RFC 3339 dateTime");
                    }
                    String dt = t.column() != null ? expr : "(" + expr + ")::timestamptz";
                    yield ordered(dt, op, when);
                }
                case COMPLEX -> throw BadRequestException.invalidFilter("'" + def.name() + "' is complex");
            };
        }

        private String idCondition(String op, ValueNode value) throws ScimException {
            UUID id = parseUuid(value.asText());
            switch (op) {
                case "eq" -> {
                    if (id == null) {
                        return "false";
                    }
                    params.add(id);
                    return "r.id = ?";
                }
                case "ne" -> {
                    if (id == null) {
                        return "true";
                    }
                    params.add(id);
                    return "r.id <> ?";
                }
                default -> {
                    return stringCondition(new Target(null, "r.id::text", null, false, null), op, value);
                }
            }
        }

        private String stringCondition(Target t, String op, ValueNode value) throws ScimException {
            if (!value.isTextual()) {
                throw BadRequestException.invalidFilter("'" + (t.def() == null ? "id" : t.def().name()) + "' is a string: quote the value");
            }
            boolean caseExact = t.def() != null && t.def().isCaseExact();
            String v = value.asText();
            String expr = t.expr();
            String param;
            if (!caseExact) {
                if (!t.lowered()) {
                    expr = "lower(" + expr + ")";
                }
                v = v.toLowerCase(Locale.ROOT);
            }
            switch (op) {
                case "eq" -> { params.add(v); return expr + " = ?"; }
                case "ne" -> { params.add(v); return "(" + expr + " is null or " + expr + " <> ?)"; }
                case "co" -> param = "%" + escapeLike(v) + "%";
                case "sw" -> param = escapeLike(v) + "%";
                case "ew" -> param = "%" + escapeLike(v);
                case "gt", "ge", "lt", "le" -> { return ordered(expr, op, v); }
                default -> throw BadRequestException.invalidFilter("unknown operator " + op);
            }
            params.add(param);
            return expr + " like ? escape '\\'";
        }

        private String ordered(String expr, String op, Object v) throws ScimException {
            String sqlOp = switch (op) {
                case "eq" -> "=";
                case "ne" -> "<>";
                case "gt" -> ">";
                case "ge" -> ">=";
                case "lt" -> "<";
                case "le" -> "<=";
                default -> throw BadRequestException.invalidFilter("'" + op + "' does not apply to this attribute");
            };
            params.add(v);
            return op.equals("ne") ? "(" + expr + " is null or " + expr + " <> ?)" : expr + " " + sqlOp + " ?";
        }

        private String bindUuidEquals(String column, ValueNode value) {
            UUID id = value == null ? null : parseUuid(value.asText());
            if (id == null) {
                return "false";
            }
            params.add(id);
            return column + " = ?";
        }

        private String membershipExists(ResourceTable.MembershipJoin m, String cond) {
            return "exists (select 1 from scim_group_member m where m." + m.ownColumn() + " = r.id and " + cond + ")";
        }

        private String membershipFilter(ResourceTable.MembershipJoin m, Filter inner, Scope s) throws ScimException {
            if (inner instanceof EqualFilter eq && eq.getAttributePath().size() == 1
                    && eq.getAttributePath().getElement(0).getAttribute().equalsIgnoreCase("value")) {
                return membershipExists(m, bindUuidEquals("m." + m.otherColumn(), eq.getComparisonValue()));
            }
            throw BadRequestException.invalidFilter("only " + m.attribute() + "[value eq \"...\"] is supported");
        }

        private Target resolve(Path path, Scope s) throws ScimException {
            if (path == null || path.size() == 0) {
                throw BadRequestException.invalidFilter("missing attribute");
            }
            if (s.parent() != null) {
                if (path.size() != 1 || path.getSchemaUrn() != null) {
                    throw BadRequestException.invalidFilter("'" + path + "' is not a sub-attribute of " + s.parent().name());
                }
                AttributeDefinition sub = s.parent().subAttribute(path.getElement(0).getAttribute());
                if (sub == null) {
                    throw BadRequestException.invalidFilter("unknown sub-attribute '" + path + "' of " + s.parent().name());
                }
                return new Target(sub, s.alias() + "->>'" + sub.name() + "'", null, false, null);
            }
            String urn = path.getSchemaUrn();
            SchemaDefinition schema = table.resourceType().schema();
            String jsonRoot = "r.resource";
            boolean extension = false;
            if (urn != null) {
                SchemaDefinition ext = table.resourceType().extension(urn);
                if (ext != null) {
                    schema = ext;
                    jsonRoot = "(r.resource -> '" + ext.id() + "')";
                    extension = true;
                } else if (!schema.id().equalsIgnoreCase(urn)) {
                    throw BadRequestException.invalidFilter("unknown schema " + urn);
                }
            }
            String first = path.getElement(0).getAttribute();
            if (path.getElement(0).getValueFilter() != null) {
                throw BadRequestException.invalidFilter("unexpected value filter in '" + path + "'");
            }
            String dotted = path.size() > 1 ? first + "." + path.getElement(1).getAttribute() : first;
            if (!extension) {
                ResourceTable.Column col = table.column(dotted);
                if (col != null) {
                    AttributeDefinition def = commonOrSchema(schema, path);
                    return new Target(def, col.sql(), null, col.lowered(), null, col);
                }
                ResourceTable.MembershipJoin m = table.membership();
                if (m != null && m.attribute().equalsIgnoreCase(first)) {
                    AttributeDefinition def = schema.attribute(first);
                    if (path.size() == 1) {
                        return new Target(def, null, null, false, m);
                    }
                    if (path.getElement(1).getAttribute().equalsIgnoreCase("value")) {
                        return new Target(def.subAttribute("value"), null, null, false, m);
                    }
                    throw BadRequestException.invalidFilter("only " + m.attribute() + ".value can be filtered");
                }
            }
            AttributeDefinition def = schema.attribute(first);
            if (def == null) {
                throw BadRequestException.invalidFilter("unknown attribute '" + path + "'");
            }
            if (def.mutability() == AttributeDefinition.Mutability.WRITE_ONLY) {
                throw BadRequestException.invalidFilter("'" + def.name() + "' cannot be filtered");
            }
            String node = jsonRoot + " -> '" + def.name() + "'";
            if (path.size() == 1) {
                if (def.type() != Type.COMPLEX && def.isMultiValued()) {
                    // A multi-valued simple attribute: compare each element's text.
                    return new Target(def, "(e #>> '{}')", node, false, null);
                }
                if (def.type() == Type.COMPLEX || def.isMultiValued()) {
                    return new Target(def, node, null, false, null);
                }
                return new Target(def, jsonRoot + " ->> '" + def.name() + "'", null, false, null);
            }
            if (path.size() > 2 || def.type() != Type.COMPLEX) {
                throw BadRequestException.invalidFilter("unknown attribute '" + path + "'");
            }
            AttributeDefinition sub = def.subAttribute(path.getElement(1).getAttribute());
            if (sub == null) {
                throw BadRequestException.invalidFilter("unknown attribute '" + path + "'");
            }
            if (def.isMultiValued()) {
                return new Target(sub, "e ->> '" + sub.name() + "'", node, false, null);
            }
            return new Target(sub, node + " ->> '" + sub.name() + "'", null, false, null);
        }

        private AttributeDefinition commonOrSchema(SchemaDefinition schema, Path path) throws ScimException {
            String first = path.getElement(0).getAttribute();
            AttributeDefinition def = schema.attribute(first);
            if (def == null) {
                def = org.scimflow.scim.schema.CoreSchemas.common().stream()
                        .filter(a -> a.name().equalsIgnoreCase(first)).findFirst().orElse(null);
            }
            if (def == null) {
                throw BadRequestException.invalidFilter("unknown attribute '" + path + "'");
            }
            if (path.size() > 1) {
                AttributeDefinition sub = def.subAttribute(path.getElement(1).getAttribute());
                if (sub == null) {
                    throw BadRequestException.invalidFilter("unknown attribute '" + path + "'");
                }
                return sub;
            }
            return def;
        }
    }

    /**
     * Whether an index can answer a filter without reading every row: a comparison on an indexed column
     * that its index serves, an {@code and} with at least one such part, an {@code or} made only of them.
     * {@code not}, {@code pr} and anything on an attribute stored only in the JSONB resource cannot.
     */
    private final class Narrowing implements FilterVisitor<Boolean, Void> {
        @Override public Boolean visit(EqualFilter f, Void v) { return served(f, "eq"); }
        @Override public Boolean visit(NotEqualFilter f, Void v) { return false; }
        @Override public Boolean visit(ContainsFilter f, Void v) { return served(f, "co"); }
        @Override public Boolean visit(StartsWithFilter f, Void v) { return served(f, "sw"); }
        @Override public Boolean visit(EndsWithFilter f, Void v) { return served(f, "ew"); }
        @Override public Boolean visit(GreaterThanFilter f, Void v) { return served(f, "gt"); }
        @Override public Boolean visit(GreaterThanOrEqualFilter f, Void v) { return served(f, "ge"); }
        @Override public Boolean visit(LessThanFilter f, Void v) { return served(f, "lt"); }
        @Override public Boolean visit(LessThanOrEqualFilter f, Void v) { return served(f, "le"); }
        @Override public Boolean visit(PresentFilter f, Void v) { return false; }
        @Override public Boolean visit(NotFilter f, Void v) { return false; }

        @Override
        public Boolean visit(AndFilter f, Void v) throws ScimException {
            for (Filter c : f.getCombinedFilters()) {
                if (c.visit(this, null)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Boolean visit(OrFilter f, Void v) throws ScimException {
            for (Filter c : f.getCombinedFilters()) {
                if (!c.visit(this, null)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Boolean visit(ComplexValueFilter f, Void v) {
            ResourceTable.MembershipJoin m = table.membership();
            String attr = f.getAttributePath().getElement(0).getAttribute().toLowerCase(Locale.ROOT);
            return f.getAttributePath().getSchemaUrn() == null && f.getAttributePath().size() == 1
                    && ((m != null && m.attribute().equalsIgnoreCase(attr))
                        || (table.valueIndexes().containsKey(attr) && valueEquals(f.getValueFilter()) != null));
        }

        private boolean served(ComparisonFilter f, String op) {
            Path path = f.getAttributePath();
            if (path.getSchemaUrn() != null && !path.getSchemaUrn().equalsIgnoreCase(table.resourceType().schema().id())) {
                return false;
            }
            String first = path.getElement(0).getAttribute();
            if (op.equals("eq") && path.size() == 2 && table.valueIndexes().containsKey(first.toLowerCase(Locale.ROOT))
                    && path.getElement(1).getAttribute().equalsIgnoreCase("value")) {
                return true;
            }
            ResourceTable.MembershipJoin m = table.membership();
            if (m != null && m.attribute().equalsIgnoreCase(first)) {
                return op.equals("eq");
            }
            ResourceTable.Column col = table.column(path.size() > 1 ? first + "." + path.getElement(1).getAttribute() : first);
            if (col == null || col.index() == ResourceTable.Index.NONE) {
                return false;
            }
            return switch (op) {
                // A trigram index needs three characters to look anything up.
                case "co", "ew" -> col.index() == ResourceTable.Index.TRIGRAM && f.getComparisonValue() != null
                        && f.getComparisonValue().asText().codePointCount(0, f.getComparisonValue().asText().length()) >= 3;
                default -> true;
            };
        }
    }

    /** The text of {@code value eq "..."} in a value filter (alone or in a top-level {@code and}), or null. */
    static String valueEquals(Filter f) {
        if (f instanceof EqualFilter eq && eq.getAttributePath().size() == 1 && eq.getAttributePath().getSchemaUrn() == null
                && eq.getAttributePath().getElement(0).getAttribute().equalsIgnoreCase("value")
                && eq.getComparisonValue() != null && eq.getComparisonValue().isTextual()) {
            return eq.getComparisonValue().asText();
        }
        if (f instanceof AndFilter and) {
            for (Filter c : and.getCombinedFilters()) {
                String v = valueEquals(c);
                if (v != null) {
                    return v;
                }
            }
        }
        return null;
    }

    /**
     * What may follow a value path's {@code ]}: a sub-attribute (group 1), then {@code pr} or an operator
     * (group 2) whose value {@link #comparisonEnd} finds. The value is not part of the expression: a
     * repeated alternation over a quoted string took a stack frame per character, and a long value
     * overflowed the request thread's stack.
     */
    private static final java.util.regex.Pattern VALUE_PATH_SUB = java.util.regex.Pattern.compile(
            "\\.([A-Za-z][A-Za-z0-9_$-]*)\\s+(?:((?i:eq|ne|co|sw|ew|gt|ge|lt|le))\\s+|(?i:pr)\\b)");
    private static final String SPACE = " \t\n\u000B\f\r";
    private static final String LINE_ENDS = "\n\r\u0085\u2028\u2029";

    /**
     * Where the comparison that {@code m} began ends: after {@code pr}, or after its value, a quoted string
     * (a backslash escapes the next character, not a line end) or else a run of characters up to a space,
     * parenthesis or bracket; -1 when there is no value.
     */
    private static int comparisonEnd(String filter, java.util.regex.Matcher m) {
        int from = m.end();
        if (m.group(2) == null) {
            return from;
        }
        if (from < filter.length() && filter.charAt(from) == '"') {
            for (int i = from + 1; i < filter.length(); i++) {
                char c = filter.charAt(i);
                if (c == '"') {
                    return i + 1;
                }
                if (c == '\\') {
                    if (i + 1 >= filter.length() || LINE_ENDS.indexOf(filter.charAt(i + 1)) >= 0) {
                        break;
                    }
                    i++;
                }
            }
        }
        int end = from;
        while (end < filter.length() && SPACE.indexOf(filter.charAt(end)) < 0 && "()[]".indexOf(filter.charAt(end)) < 0) {
            end++;
        }
        return end > from ? end : -1;
    }

    /**
     * Rewrites {@code emails[type eq "work"].value eq "x"} — a value path followed by a sub-attribute
     * comparison, which Entra ID sends when it matches users on a work email but which the RFC grammar (and
     * the SDK's parser) does not allow — into the equivalent {@code emails[(type eq "work") and value eq "x"]}.
     */
    static String inlineValuePathComparisons(String filter) {
        StringBuilder out = new StringBuilder(filter.length() + 16);
        boolean quoted = false;
        int open = -1;
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (quoted) {
                out.append(c);
                if (c == '\\' && i + 1 < filter.length()) {
                    out.append(filter.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                }
                continue;
            }
            if (c == '"') {
                quoted = true;
            } else if (c == '[') {
                open = out.length();
            } else if (c == ']' && open >= 0) {
                java.util.regex.Matcher m = VALUE_PATH_SUB.matcher(filter).region(i + 1, filter.length());
                int end = m.lookingAt() ? comparisonEnd(filter, m) : -1;
                if (end >= 0) {
                    String inner = out.substring(open + 1);
                    out.setLength(open + 1);
                    out.append('(').append(inner).append(") and ").append(m.group(1))
                            .append(filter, m.end(1), end).append(']');
                    i = end - 1;
                    open = -1;
                    continue;
                }
                open = -1;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** The SDK's parser forgives a missing closing bracket or parenthesis; the RFC grammar does not. */
    static void requireBalanced(String filter) throws ScimException {
        int parens = 0;
        int brackets = 0;
        boolean quoted = false;
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> quoted = true;
                case '(' -> parens++;
                case ')' -> parens--;
                case '[' -> brackets++;
                case ']' -> brackets--;
                default -> { }
            }
            if (parens < 0 || brackets < 0) {
                break;
            }
        }
        if (quoted || parens != 0 || brackets != 0) {
            throw BadRequestException.invalidFilter("unbalanced quotes, parentheses or brackets");
        }
    }

    static UUID parseUuid(String s) {
        try {
            return s != null && s.length() == 36 ? UUID.fromString(s) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
