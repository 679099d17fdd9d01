package org.scimflow.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Adds OCSF and ECS fields to a published audit record, so Splunk (OCSF) and Elastic (ECS) can ingest the
 * topic as is. scimflow's own fields stay untouched; the hashed content does not include these.
 *
 * <p>User lifecycle maps to OCSF Account Change (3001), group changes to Group Management (3006),
 * everything else (reads, rejected calls, audit access) to API Activity (6003).
 */
public final class SiemFields {

    static final String OCSF_VERSION = "1.1.0";
    static final String ECS_VERSION = "8.11.0";

    private SiemFields() { }

    public static ObjectNode enrich(ObjectNode n, AuditEvent e) {
        String action = e.action() == null ? "" : e.action();
        boolean success = "success".equals(e.outcome());
        String verb = action.substring(action.lastIndexOf('.') + 1);
        boolean user = action.startsWith("scim.user.") && !verb.equals("read") && !verb.equals("list") && !verb.equals("search");
        boolean group = action.startsWith("scim.group.") && !verb.equals("read") && !verb.equals("list") && !verb.equals("search");

        ObjectNode ocsf = n.putObject("ocsf");
        int classUid;
        int activityId;
        if (user) {
            classUid = 3001;
            activityId = switch (verb) {
                case "create" -> 1;
                case "delete" -> 6;
                default -> deactivation(e) ? 5 : 99;
            };
            ocsf.put("category_uid", 3);
        } else if (group) {
            classUid = 3006;
            activityId = switch (verb) {
                case "create" -> 6;
                case "delete" -> 5;
                default -> 99;
            };
            ocsf.put("category_uid", 3);
        } else {
            classUid = 6003;
            activityId = switch (verb) {
                case "create" -> 1;
                case "replace", "patch" -> 3;
                case "delete" -> 4;
                default -> 2;
            };
            ocsf.put("category_uid", 6);
        }
        ocsf.put("class_uid", classUid);
        ocsf.put("activity_id", activityId);
        ocsf.put("type_uid", classUid * 100L + activityId);
        ocsf.put("severity_id", success ? 1 : "denied".equals(e.outcome()) ? 3 : 2);
        ocsf.put("status_id", success ? 1 : 2);
        ocsf.put("status", success ? "Success" : "Failure");
        if (e.eventTime() != null) {
            ocsf.put("time", e.eventTime().toEpochMilli());
        }
        ObjectNode meta = ocsf.putObject("metadata");
        meta.put("version", OCSF_VERSION);
        meta.put("uid", String.valueOf(e.eventId()));
        meta.put("correlation_uid", e.correlationId());
        meta.putObject("product").put("name", "scimflow").put("vendor_name", "scimflow");
        if (e.actorId() != null) {
            ocsf.putObject("actor").putObject("user").put("uid", e.actorId()).put("type", e.actorType());
        }
        if (e.actorIp() != null) {
            ocsf.putObject("src_endpoint").put("ip", e.actorIp());
        }
        if (e.subjectId() != null && (user || "User".equals(e.subjectType()))) {
            ObjectNode u = ocsf.putObject("user").put("uid", e.subjectId());
            if (e.subjectName() != null) {
                u.put("name", e.subjectName());
            }
        } else if (e.subjectId() != null && "Group".equals(e.subjectType())) {
            ObjectNode g = ocsf.putObject("group").put("uid", e.subjectId());
            if (e.subjectName() != null) {
                g.put("name", e.subjectName());
            }
        }

        if (e.eventTime() != null) {
            n.put("@timestamp", e.eventTime().toString());
        }
        ObjectNode event = n.putObject("event");
        event.put("kind", "event");
        event.putArray("category").add(user || group ? "iam" : "web");
        var types = event.putArray("type");
        if (user || group) {
            types.add(user ? "user" : "group");
            types.add(switch (verb) {
                case "create" -> "creation";
                case "delete" -> "deletion";
                default -> "change";
            });
        } else {
            types.add(success ? "access" : "denied");
        }
        event.put("action", action);
        event.put("outcome", success ? "success" : "failure");
        event.put("id", String.valueOf(e.eventId()));
        event.put("dataset", "scimflow.audit");
        if (e.durationMs() != null) {
            event.put("duration", e.durationMs() * 1_000_000L);
        }
        n.putObject("ecs").put("version", ECS_VERSION);
        if (e.actorIp() != null) {
            n.putObject("source").put("ip", e.actorIp());
        }
        if (e.actorUserAgent() != null) {
            n.putObject("user_agent").put("original", e.actorUserAgent());
        }
        if (e.subjectId() != null && "User".equals(e.subjectType())) {
            ObjectNode target = n.putObject("user").putObject("target").put("id", e.subjectId());
            if (e.subjectName() != null) {
                target.put("name", e.subjectName());
            }
        }
        return n;
    }

    private static boolean deactivation(AuditEvent e) {
        if (e.changes() == null) {
            return false;
        }
        for (var c : e.changes()) {
            if ("active".equals(c.path("path").asText()) && c.has("new") && !c.get("new").asBoolean(true)) {
                return true;
            }
        }
        return false;
    }
}
