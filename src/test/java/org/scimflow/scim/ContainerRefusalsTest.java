package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.scimflow.support.HubTest;

/**
 * Requests Tomcat refuses before any filter of the hub runs (HTTP clients will not send them, so they go
 * over a raw socket): each gets a SCIM error body and an X-Request-Id, and leaves an audit record.
 */
class ContainerRefusalsTest extends HubTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "GET /scim/v2/Users/%zz HTTP/1.1",
            "GET /scim/v2/Users?filter=a|b HTTP/1.1",
            "GET /scim/v2/Users/{id} HTTP/1.1",
            "LONG", "NUL", "HEADER"})
    void aRequestTomcatRefusesGetsAScimErrorAndAnAuditRecord(String requestLine) throws Exception {
        String line = switch (requestLine) {
            case "LONG" -> "GET /scim/v2/Users?x=" + "a".repeat(10_000) + " HTTP/1.1";
            case "NUL" -> "GET /scim/v2/Users\0x HTTP/1.1";
            case "HEADER" -> "GET /scim/v2/Users HTTP/1.1\r\nX-Bad: a\u0001b";
            default -> requestLine;
        };
        Raw r = send(line + "\r\nHost: localhost\r\nUser-Agent: refusals-test\r\nConnection: close\r\n\r\n");

        assertThat(r.status).as(r.head).isBetween(400, 499);
        assertThat(r.headers.get("content-type")).startsWith("application/scim+json");
        JsonNode body = mapper.readTree(r.body);
        assertThat(body.get("schemas").get(0).asText()).isEqualTo(ScimErrors.ERROR_SCHEMA);
        assertThat(body.get("status").asText()).isEqualTo(String.valueOf(r.status));
        assertThat(r.body).doesNotContain("Tomcat").doesNotContain("<html");
        String requestId = r.headers.get("x-request-id");
        assertThat(requestId).isNotBlank();

        AuditAwait.record(jdbc, requestId, row -> {
            assertThat(row.get("action")).isEqualTo("http.request");
            assertThat(row.get("outcome")).isEqualTo("failure");
            assertThat(row.get("actor_type")).isEqualTo("anonymous");
            assertThat(((Number) row.get("http_status")).intValue()).isEqualTo(r.status);
            assertThat((String) row.get("error")).startsWith("refused by the HTTP server");
        });
    }

    /** A call no route answers (unknown path, a method nothing serves) gets a SCIM error too, and is recorded. */
    @ParameterizedTest
    @ValueSource(strings = {"GET /scim/v2/Nope", "GET /nonexistent", "BREW /scim/v2/Users", "GET /ui/nope.js"})
    void aCallNoRouteAnswersGetsAScimError(String call) throws Exception {
        String[] mp = call.split(" ");
        Raw r = send(mp[0] + " " + mp[1] + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
                + "\r\nConnection: close\r\n\r\n");
        assertThat(r.status).as(r.head).isBetween(400, 499);
        assertThat(r.headers.get("content-type")).as(r.head).startsWith("application/scim+json");
        JsonNode body = mapper.readTree(r.body);
        assertThat(body.get("schemas").get(0).asText()).isEqualTo(ScimErrors.ERROR_SCHEMA);
        assertThat(body.get("status").asText()).isEqualTo(String.valueOf(r.status));
        AuditAwait.record(jdbc, r.headers.get("x-request-id"),
                row -> assertThat(((Number) row.get("http_status")).intValue()).isEqualTo(r.status));
    }

    private record Raw(int status, String head, Map<String, String> headers, String body) { }

    private Raw send(String request) throws IOException {
        try (Socket s = new Socket("localhost", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            String body = split < 0 ? "" : text.substring(split + 4);
            String[] lines = head.split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            return new Raw(status, head, headers, body);
        }
    }
}
