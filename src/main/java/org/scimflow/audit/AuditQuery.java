package org.scimflow.audit;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Filters of the audit API. The cursor is an opaque token over {@code seq}; because {@code seq} is
 * assigned in commit order, paging by it never skips or repeats a record under concurrent writes.
 */
public record AuditQuery(Instant from, Instant to, String actor, String subject, String action, String outcome,
                         String correlationId, String channel, String cycleId, String targetSystem,
                         Long afterSeq, boolean descending, int limit) {

    public static final int MAX_LIMIT = 1000;
    private static final Set<String> OUTCOMES = Set.of("success", "failure", "denied", "skipped");

    public static AuditQuery from(Function<String, String> param) throws ScimException {
        String order = param.apply("order");
        boolean desc = order != null && order.equalsIgnoreCase("desc");
        if (order != null && !desc && !order.equalsIgnoreCase("asc")) {
            throw BadRequestException.invalidValue("order must be asc or desc");
        }
        String outcome = blank(param.apply("outcome"));
        if (outcome != null && !OUTCOMES.contains(outcome)) {
            throw BadRequestException.invalidValue("outcome must be one of " + OUTCOMES);
        }
        int limit = 100;
        String l = blank(param.apply("limit"));
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                throw BadRequestException.invalidValue("limit must be an integer");
            }
            if (limit < 1) {
                throw BadRequestException.invalidValue("limit must be at least 1");
            }
        }
        return new AuditQuery(instant(param.apply("from"), "from"), instant(param.apply("to"), "to"),
                blank(param.apply("actor")), blank(param.apply("subject")), blank(param.apply("action")), outcome,
                blank(param.apply("correlationId")), blank(param.apply("channel")), blank(param.apply("cycleId")),
                blank(param.apply("target")), decodeCursor(blank(param.apply("cursor"))), desc,
                Math.min(limit, MAX_LIMIT));
    }

    /** The WHERE clause (without the cursor) and its parameters. */
    public Where where() {
        List<String> conds = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (from != null) {
            conds.add("event_time >= ?");
            params.add(Timestamp.from(from));
        }
        if (to != null) {
            conds.add("event_time < ?");
            params.add(Timestamp.from(to));
        }
        eq(conds, params, "actor_id", actor);
        if (subject != null) {
            conds.add("(subject_id = ? or subject_external_id = ? or lower(subject_name) = lower(?))");
            params.add(subject);
            params.add(subject);
            params.add(subject);
        }
        eq(conds, params, "action", action);
        eq(conds, params, "outcome", outcome);
        eq(conds, params, "correlation_id", correlationId);
        eq(conds, params, "channel", channel);
        eq(conds, params, "cycle_id", cycleId);
        eq(conds, params, "target_system", targetSystem);
        return new Where(conds.isEmpty() ? "true" : String.join(" and ", conds), params);
    }

    /** A SQL condition and its parameters. */
    public record Where(String sql, List<Object> params) { }

    public static String encodeCursor(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("s:" + seq).getBytes(StandardCharsets.UTF_8));
    }

    static Long decodeCursor(String cursor) throws ScimException {
        if (cursor == null) {
            return null;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (s.startsWith("s:")) {
                return Long.parseLong(s.substring(2));
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw BadRequestException.invalidValue("cursor is not one this API returned");
    }

    private static void eq(List<String> conds, List<Object> params, String col, String v) {
        if (v != null) {
            conds.add(col + " = ?");
            params.add(v);
        }
    }

    private static Instant instant(String v, String name) throws ScimException {
        if (blank(v) == null) {
            return null;
        }
        java.time.OffsetDateTime t;
        try {
            t = java.time.OffsetDateTime.parse(v.trim());
        } catch (DateTimeParseException e) {
            t = null;
        }
        // RFC 3339 years have four digits; beyond them the database has no such time either.
        if (t == null || t.getYear() < 0 || t.getYear() > 9999) {
            throw BadRequestException.invalidValue(name + " must be an RFC 3339 timestamp, e.g. 2026-01-31T00:00:00Z");
        }
        return t.toInstant();
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
