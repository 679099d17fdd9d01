package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.scimflow.scim.ScimErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/** The audit API for auditors: query with cursor pagination, one event, and streaming export. */
@Component("auditApi")
public class AuditApi implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(AuditApi.class);
    static final List<String> CSV_COLUMNS = List.of("seq", "eventId", "eventTime", "recordedTime", "correlationId",
            "channel", "action", "outcome", "actor.type", "actor.id", "actor.ip", "actor.userAgent", "subject.type",
            "subject.id", "subject.name", "subject.externalId", "target.system", "target.id", "http.method", "http.path",
            "http.status", "scimType", "error", "attempt", "durationMs", "changes", "prevHash", "recordHash");

    private final AuditStore store;
    private final AuditRecordCodec codec;
    private final ObjectMapper mapper;
    private final ExecutorService exporters = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "audit-export");
        t.setDaemon(true);
        return t;
    });

    public AuditApi(AuditStore store, AuditRecordCodec codec, ObjectMapper mapper) {
        this.store = store;
        this.codec = codec;
        this.mapper = mapper;
    }

    public void query(Exchange ex) throws Exception {
        RouteAudit.draft(ex).action("audit.events.query");
        AuditQuery q = AuditQuery.from(name -> ex.getIn().getHeader(name, String.class));
        List<AuditEvent> rows = store.page(q);
        boolean more = rows.size() > q.limit();
        List<AuditEvent> page = more ? rows.subList(0, q.limit()) : rows;
        ObjectNode out = mapper.createObjectNode();
        ArrayNode events = out.putArray("events");
        page.forEach(e -> events.add(codec.toJson(e)));
        out.put("count", page.size());
        if (more) {
            out.put("nextCursor", AuditQuery.encodeCursor(page.get(page.size() - 1).seq()));
        } else {
            out.putNull("nextCursor");
        }
        json(ex, 200, mapper.writeValueAsBytes(out));
    }

    public void get(Exchange ex) throws Exception {
        String id = ex.getIn().getHeader("eventId", String.class);
        RouteAudit.draft(ex).action("audit.event.read").subject("AuditEvent", id, null, null);
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ScimErrors.notFound("Audit event " + id + " not found");
        }
        AuditEvent e = store.byEventId(uuid).orElseThrow(() -> ScimErrors.notFound("Audit event " + id + " not found"));
        json(ex, 200, mapper.writeValueAsBytes(codec.toJson(e)));
    }

    /** Streams the matching records as NDJSON or CSV; rows flow from a database cursor to the socket. */
    public void export(Exchange ex) throws Exception {
        RouteAudit.draft(ex).action("audit.export");
        String format = ex.getIn().getHeader("format", "ndjson", String.class);
        if (!format.equals("ndjson") && !format.equals("csv")) {
            throw BadRequestException.invalidValue("format must be ndjson or csv");
        }
        AuditQuery q = AuditQuery.from(name -> ex.getIn().getHeader(name, String.class));
        PipedInputStream in = new PipedInputStream(64 * 1024);
        PipedOutputStream pipe = new PipedOutputStream(in);
        boolean csv = format.equals("csv");
        exporters.submit(() -> {
            try (Writer w = new BufferedWriter(new OutputStreamWriter(pipe, StandardCharsets.UTF_8), 64 * 1024)) {
                if (csv) {
                    w.write(String.join(",", CSV_COLUMNS));
                    w.write("\r\n");
                }
                store.stream(q, e -> {
                    try {
                        ObjectNode n = codec.toJson(e);
                        w.write(csv ? csvLine(n) : mapper.writeValueAsString(n));
                        w.write(csv ? "\r\n" : "\n");
                    } catch (IOException io) {
                        throw new UncheckedIOException(io);
                    }
                });
            } catch (IOException | RuntimeException e) {
                log.warn("Audit export ended early: {}", e.getMessage());
            }
        });
        Message m = ex.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        m.setHeader(Exchange.CONTENT_TYPE, csv ? "text/csv; charset=utf-8" : "application/x-ndjson");
        m.setHeader("Content-Disposition", "attachment; filename=\"scimflow-audit." + format + "\"");
        m.setBody(in);
        RouteAudit.draft(ex).durationMs(RouteAudit.request(ex).elapsedMs());
    }

    private String csvLine(ObjectNode n) {
        StringBuilder sb = new StringBuilder(256);
        for (int i = 0; i < CSV_COLUMNS.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String[] path = CSV_COLUMNS.get(i).split("\\.");
            var v = n.get(path[0]);
            if (v != null && path.length > 1) {
                v = v.get(path[1]);
            }
            if (v == null || v.isNull()) {
                continue;
            }
            String s = v.isValueNode() ? v.asText() : v.toString();
            if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                sb.append('"').append(s.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(s);
            }
        }
        return sb.toString();
    }

    private void json(Exchange ex, int status, byte[] body) {
        Message m = ex.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(body);
        RouteAudit.draft(ex).durationMs(RouteAudit.request(ex).elapsedMs());
    }

    @Override
    public void destroy() {
        exporters.shutdownNow();
    }
}
