package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.scimflow.audit.RequestContext;
import org.scimflow.audit.RouteAudit;
import org.scimflow.config.ScimflowProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code POST /Bulk} (RFC 7644 §3.7): runs each operation through the same service call as the single
 * request, so each is validated, committed and audited on its own (with the bulk request's correlation
 * id). {@code bulkId:} references are resolved anywhere in paths and data, operations that depend on a
 * later POST wait for it, circular references are refused with 409, {@code failOnErrors} stops the run,
 * and more than {@code scimflow.scim.max-bulk-operations} operations or a body over the payload limit
 * is 413.
 */
@Component("scimBulk")
public class ScimBulk {

    public static final String BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
    public static final String BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
    private static final Pattern REF = Pattern.compile("bulkId:([^\"/\\s]+)");
    private static final Logger log = LoggerFactory.getLogger(ScimBulk.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final UserService users;
    private final GroupService groups;
    private final ScimflowProperties props;
    private final ObjectMapper mapper;
    private final ScimJsonReader reader;

    public ScimBulk(UserService users, GroupService groups, ScimflowProperties props, ObjectMapper mapper) {
        this.users = users;
        this.groups = groups;
        this.props = props;
        this.mapper = mapper;
        this.reader = new ScimJsonReader(props.getScim().getMaxBodyBytes());
    }

    /** One operation of the request, as sent. */
    record Operation(int index, String method, String bulkId, String version, String path, JsonNode data,
                     Set<String> references) { }

    public void bulk(Exchange ex) throws ScimException {
        RequestContext ctx = RouteAudit.request(ex);
        RouteAudit.draft(ex).action("scim.bulk");
        JsonNode body = reader.read(ex.getIn().getHeader(Exchange.CONTENT_TYPE, String.class), ex.getIn().getBody(),
                ex.getContext().getTypeConverter());
        List<Operation> ops = parse(body);
        int failOnErrors = failOnErrors(body);
        String base = ScimResponses.baseUrl(ctx, props);

        Map<String, String> resolved = new HashMap<>();
        Map<String, Integer> definedBy = new HashMap<>();
        ops.forEach(o -> {
            if (o.bulkId() != null) {
                definedBy.put(o.bulkId(), o.index());
            }
        });
        Set<String> failedIds = new LinkedHashSet<>();
        ObjectNode[] results = new ObjectNode[ops.size()];
        List<Operation> pending = new ArrayList<>(ops);
        int errors = 0;
        boolean progress = true;
        while (!pending.isEmpty() && progress && errors < failOnErrors) {
            progress = false;
            for (Iterator<Operation> it = pending.iterator(); it.hasNext() && errors < failOnErrors; ) {
                Operation op = it.next();
                String blocked = blockedBy(op, resolved, failedIds, definedBy);
                if ("".equals(blocked)) {
                    continue;
                }
                it.remove();
                progress = true;
                ObjectNode result = blocked == null ? run(op, resolved, ctx, base)
                        : error(op, new ScimException(409, BadRequestException.INVALID_VALUE,
                                "An operation this one refers to (bulkId) failed"));
                results[op.index()] = result;
                if (!result.path("status").asText().startsWith("2")) {
                    errors++;
                    if (op.bulkId() != null) {
                        failedIds.add(op.bulkId());
                    }
                }
            }
        }
        if (errors < failOnErrors) {
            // What is still pending waits on a bulkId that is never resolved: a cycle (RFC 7644 §3.7.1).
            for (Operation op : pending) {
                if (errors >= failOnErrors) {
                    break;
                }
                results[op.index()] = error(op, new ScimException(409, BadRequestException.INVALID_VALUE,
                        "Circular bulkId reference among " + op.references()));
                errors++;
            }
        }
        ObjectNode out = NODES.objectNode();
        out.putArray("schemas").add(BULK_RESPONSE);
        ArrayNode arr = out.putArray("Operations");
        for (ObjectNode r : results) {
            if (r != null) {
                arr.add(r);
            }
        }
        RouteAudit.draft(ex).durationMs(ctx.elapsedMs());
        ScimResponses.write(ex, ScimResult.ok(out, null), mapper);
    }

    /**
     * Null when the operation can run; empty when it waits on a POST still to run; otherwise the bulkId
     * of a failed operation it needs.
     */
    private static String blockedBy(Operation op, Map<String, String> resolved, Set<String> failed,
                                    Map<String, Integer> definedBy) {
        for (String ref : op.references()) {
            if (resolved.containsKey(ref)) {
                continue;
            }
            if (failed.contains(ref)) {
                return ref;
            }
            if (definedBy.containsKey(ref) && definedBy.get(ref) != op.index()) {
                return "";
            }
        }
        return null;
    }

    private ObjectNode run(Operation op, Map<String, String> resolved, RequestContext ctx, String base) {
        try {
            for (String ref : op.references()) {
                if (!resolved.containsKey(ref)) {
                    throw BadRequestException.invalidValue("bulkId '" + ref + "' is not defined by a POST in this request");
                }
            }
            String path = substitute(op.path(), resolved);
            JsonNode data = op.data() == null ? null : substitute(op.data(), resolved);
            String[] parts = path.replaceAll("^/+", "").split("/", -1);
            ScimResourceOperations service = switch (parts[0]) {
                case "Users" -> users;
                case "Groups" -> groups;
                default -> throw BadRequestException.invalidPath("Bulk path must start with /Users or /Groups");
            };
            String endpoint = "/" + parts[0];
            RequestContext opCtx = new RequestContext(ctx.correlationId(), ctx.startTime(), ctx.startNanos(), op.method(),
                    ctx.path(), "/scim/v2" + path, ctx.sourceIp(), ctx.userAgent(), ctx.baseUrl(), ctx.actorId());
            ScimCall call = new ScimCall(opCtx, base, op.version(), null, Projection.ALL);
            ScimResult r;
            if (op.method().equals("POST")) {
                if (parts.length != 1) {
                    throw BadRequestException.invalidPath("POST goes to " + endpoint);
                }
                r = service.create(call, requireData(data));
            } else {
                if (parts.length != 2 || parts[1].isEmpty()) {
                    throw BadRequestException.invalidPath(op.method() + " needs " + endpoint + "/{id}");
                }
                r = switch (op.method()) {
                    case "PUT" -> service.replace(call, parts[1], requireData(data));
                    case "PATCH" -> service.patch(call, parts[1], requireData(data));
                    default -> service.delete(call, parts[1]);
                };
            }
            ObjectNode result = head(op);
            String location = r.location();
            if (location == null && r.body() != null && r.body().has("meta")) {
                location = r.body().at("/meta/location").asText(null);
            }
            if (location == null && !op.method().equals("DELETE")) {
                location = base + "/scim/v2" + path;
            }
            if (location != null) {
                result.put("location", location);
            }
            if (r.etag() != null) {
                result.put("version", r.etag());
            }
            result.put("status", String.valueOf(r.status()));
            if (op.bulkId() != null && r.body() != null && r.body().has("id")) {
                resolved.put(op.bulkId(), r.body().get("id").asText());
            }
            return result;
        } catch (ScimException e) {
            return error(op, e);
        } catch (RuntimeException e) {
            log.error("Bulk operation {} {} failed (correlation {})", op.method(), op.path(), ctx.correlationId(), e);
            return error(op, new ScimException(500, null, "Internal error, reference " + ctx.correlationId()));
        }
    }

    private static JsonNode requireData(JsonNode data) throws ScimException {
        if (data == null || !data.isObject()) {
            throw BadRequestException.invalidSyntax("This operation needs 'data' (an object)");
        }
        return data;
    }

    private static ObjectNode head(Operation op) {
        ObjectNode r = NODES.objectNode();
        r.put("method", op.method());
        if (op.bulkId() != null) {
            r.put("bulkId", op.bulkId());
        }
        return r;
    }

    private static ObjectNode error(Operation op, ScimException e) {
        ObjectNode r = head(op);
        int status = e.getScimError().getStatus();
        r.put("status", String.valueOf(status));
        ObjectNode resp = r.putObject("response");
        resp.putArray("schemas").add(ScimErrors.ERROR_SCHEMA);
        if (e.getScimError().getScimType() != null) {
            resp.put("scimType", e.getScimError().getScimType());
        }
        if (e.getScimError().getDetail() != null) {
            resp.put("detail", e.getScimError().getDetail());
        }
        resp.put("status", String.valueOf(status));
        return r;
    }

    private List<Operation> parse(JsonNode body) throws ScimException {
        if (!body.isObject()) {
            throw BadRequestException.invalidSyntax("The request body must be a JSON object");
        }
        JsonNode schemas = PatchApplier.field(body, "schemas");
        boolean bulk = false;
        if (schemas != null && schemas.isArray()) {
            for (JsonNode s : schemas) {
                bulk |= s.asText().equalsIgnoreCase(BULK_REQUEST);
            }
        }
        if (!bulk) {
            throw BadRequestException.invalidSyntax("'schemas' must list " + BULK_REQUEST);
        }
        JsonNode ops = PatchApplier.field(body, "Operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw BadRequestException.invalidSyntax("'Operations' must be a non-empty array");
        }
        int max = props.getScim().getMaxBulkOperations();
        if (ops.size() > max) {
            throw ScimErrors.payloadTooLarge("At most " + max + " operations per bulk request (maxOperations)");
        }
        List<Operation> out = new ArrayList<>();
        Set<String> bulkIds = new java.util.HashSet<>();
        for (JsonNode o : ops) {
            if (!o.isObject()) {
                throw BadRequestException.invalidSyntax("Each operation must be an object");
            }
            String method = text(o, "method");
            method = method == null ? "" : method.toUpperCase(Locale.ROOT);
            if (!Set.of("POST", "PUT", "PATCH", "DELETE").contains(method)) {
                throw BadRequestException.invalidSyntax("Operation " + out.size() + ": method must be POST, PUT, PATCH or DELETE");
            }
            String path = text(o, "path");
            if (path == null || !path.startsWith("/")) {
                throw BadRequestException.invalidSyntax("Operation " + out.size() + ": 'path' must start with /");
            }
            String bulkId = text(o, "bulkId");
            if (method.equals("POST") && (bulkId == null || bulkId.isBlank())) {
                throw BadRequestException.invalidSyntax("Operation " + out.size() + ": POST needs a bulkId");
            }
            if (bulkId != null && !bulkIds.add(bulkId)) {
                throw BadRequestException.invalidValue("bulkId '" + bulkId + "' is used twice");
            }
            JsonNode data = PatchApplier.field(o, "data");
            Set<String> refs = new LinkedHashSet<>();
            references(TextNode.valueOf(path), refs);
            if (data != null) {
                references(data, refs);
            }
            out.add(new Operation(out.size(), method, bulkId, text(o, "version"), path, data, refs));
        }
        return out;
    }

    private static int failOnErrors(JsonNode body) throws ScimException {
        JsonNode f = PatchApplier.field(body, "failOnErrors");
        if (f == null || f.isNull()) {
            return Integer.MAX_VALUE;
        }
        if (!f.canConvertToInt() || !f.isIntegralNumber() || f.asInt() < 1) {
            throw BadRequestException.invalidValue("failOnErrors must be a positive integer");
        }
        return f.asInt();
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = PatchApplier.field(o, field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void references(JsonNode n, Set<String> out) {
        if (n.isTextual()) {
            Matcher m = REF.matcher(n.asText());
            while (m.find()) {
                out.add(m.group(1));
            }
        } else if (n.isContainerNode()) {
            n.forEach(c -> references(c, out));
        }
    }

    private static String substitute(String s, Map<String, String> resolved) {
        Matcher m = REF.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(resolved.getOrDefault(m.group(1), m.group())));
        }
        return m.appendTail(sb).toString();
    }

    private static JsonNode substitute(JsonNode n, Map<String, String> resolved) {
        if (n.isTextual()) {
            return n.asText().contains("bulkId:") ? TextNode.valueOf(substitute(n.asText(), resolved)) : n;
        }
        if (n.isArray()) {
            ArrayNode a = NODES.arrayNode();
            n.forEach(c -> a.add(substitute(c, resolved)));
            return a;
        }
        if (n.isObject()) {
            ObjectNode o = NODES.objectNode();
            n.fields().forEachRemaining(e -> o.set(e.getKey(), substitute(e.getValue(), resolved)));
            return o;
        }
        return n;
    }
}
