package org.scimflow.scim.filter;

import java.util.List;

/**
 * A SQL boolean condition with its bound parameters, in order. {@code indexed}: an index narrows it, so
 * it never needs to read every row of the table.
 */
public record SqlFilter(String sql, List<Object> params, boolean indexed) {

    public static final SqlFilter TRUE = new SqlFilter("true", List.of(), true);
}
