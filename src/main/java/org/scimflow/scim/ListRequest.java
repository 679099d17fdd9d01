package org.scimflow.scim;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Query parameters of a SCIM list or search (RFC 7644 §3.4.2). */
public record ListRequest(String filter, int startIndex, int count, String sortBy, boolean descending,
                          List<String> attributes, List<String> excludedAttributes) {

    /** Reads the parameters through {@code param}; count is clamped to {@code maxCount}. */
    public static ListRequest from(Function<String, String> param, int defaultCount, int maxCount) throws ScimException {
        int start = intParam(param.apply("startIndex"), 1, "startIndex");
        int count = intParam(param.apply("count"), defaultCount, "count");
        String order = param.apply("sortOrder");
        if (order != null && !order.isBlank()
                && !order.equalsIgnoreCase("ascending") && !order.equalsIgnoreCase("descending")) {
            throw BadRequestException.invalidValue("sortOrder must be ascending or descending");
        }
        return new ListRequest(blankToNull(param.apply("filter")), Math.max(1, start), Math.max(0, Math.min(count, maxCount)),
                blankToNull(param.apply("sortBy")), order != null && order.toLowerCase(Locale.ROOT).equals("descending"),
                csv(param.apply("attributes")), csv(param.apply("excludedAttributes")));
    }

    public Projection projection() {
        return new Projection(attributes, excludedAttributes);
    }

    static List<String> csv(String s) {
        List<String> out = new ArrayList<>();
        if (s != null) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    private static int intParam(String v, int dflt, String name) throws ScimException {
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw BadRequestException.invalidValue(name + " must be an integer");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
