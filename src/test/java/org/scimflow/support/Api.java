package org.scimflow.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A small HTTP client for the hub's API, as an identity provider or auditor would call it. */
public final class Api {

    /** One HTTP response with its body parsed when it is JSON. */
    public record Response(int status, java.net.http.HttpHeaders headers, String raw, JsonNode json) {
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    private final String base;
    private final String token;
    private final ObjectMapper mapper;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Api(String base, String token, ObjectMapper mapper) {
        this.base = base;
        this.token = token;
        this.mapper = mapper;
    }

    public Api withToken(String otherToken) {
        return new Api(base, otherToken, mapper);
    }

    public String base() {
        return base;
    }

    public Response get(String path) {
        return send("GET", path, null, null, Map.of());
    }

    public Response get(String path, Map<String, String> headers) {
        return send("GET", path, null, null, headers);
    }

    public Response post(String path, String body) {
        return send("POST", path, body, "application/scim+json", Map.of());
    }

    public Response put(String path, String body) {
        return send("PUT", path, body, "application/scim+json", Map.of());
    }

    public Response patch(String path, String body) {
        return send("PATCH", path, body, "application/scim+json", Map.of());
    }

    public Response delete(String path) {
        return send("DELETE", path, null, null, Map.of());
    }

    public Response send(String method, String path, String body, String contentType, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode json = null;
            String ct = r.headers().firstValue("Content-Type").orElse("");
            if (ct.contains("json") && !ct.contains("ndjson") && !r.body().isEmpty()) {
                json = mapper.readTree(r.body());
            }
            return new Response(r.statusCode(), r.headers(), r.body(), json);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
