package org.scimflow.scim.filter;

import java.util.List;

/** A SQL boolean condition with its bound parameters, in order. */
public record SqlFilter(String sql, List<Object> params) {

    public static final SqlFilter TRUE = new SqlFilter("true", List.of());
}
