package org.scimflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpRequestMetricsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "/scim/v2/Users, /scim/v2/Users",
            "/scim/v2/Users/2819c223-7f76-453a-919d-413861904646, /scim/v2/Users/{id}",
            "/scim/v2/Users/.search, /scim/v2/Users/.search",
            "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User, /scim/v2/Schemas/{id}",
            "/scim/v2/ResourceTypes/User, /scim/v2/ResourceTypes/User",
            "/audit/v1/events/0193a2b4-7c1d-7e2f-9a3b-4c5d6e7f8091/proof, /audit/v1/events/{id}/proof",
            "/audit/v1/subjects/2819c223-7f76-453a-919d-413861904646/timeline, /audit/v1/subjects/{id}/timeline",
            "/actuator/health/liveness, /actuator/health/liveness",
            "/ui/app.js, /ui/**",
            "/, /",
            "/a/b/c/d/e/f/g/h, /a/b/c/d/e/f/**",
    })
    void pathsBecomeRouteTemplates(String path, String template) {
        assertThat(HttpRequestMetrics.template(path)).isEqualTo(template);
    }

    @Test
    void callsAreTimedPerMethodRouteAndStatus() {
        var registry = new SimpleMeterRegistry();
        var metrics = new HttpRequestMetrics(registry);
        metrics.record("GET", "/scim/v2/Users/2819c223-7f76-453a-919d-413861904646", 200, 2_000_000);
        metrics.record("GET", "/scim/v2/Users/9a1c6a52-8e0f-4a5e-9b7c-0f3f1e2d4c5b", 200, 4_000_000);
        metrics.record("GET", "/scim/v2/Users/nope", 404, 1_000_000);
        metrics.record("BREW", "/scim/v2/Users", 405, 1_000_000);

        var found = registry.get("http.server.requests").tags("method", "GET", "uri", "/scim/v2/Users/{id}",
                "status", "200", "outcome", "SUCCESS").timer();
        assertThat(found.count()).isEqualTo(2);
        assertThat(found.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(6.0);
        assertThat(registry.get("http.server.requests").tags("uri", "NOT_FOUND", "outcome", "CLIENT_ERROR")
                .timer().count()).isEqualTo(1);
        assertThat(registry.get("http.server.requests").tags("method", "OTHER", "status", "405").timer().count())
                .isEqualTo(1);
    }

    @Test
    void routeTemplatesAreBoundedWhateverClientsCall() {
        var registry = new SimpleMeterRegistry();
        var metrics = new HttpRequestMetrics(registry);
        for (int i = 0; i < HttpRequestMetrics.MAX_URIS + 50; i++) {
            // Unauthenticated calls to made-up paths are not 404s, so they are not folded into NOT_FOUND.
            metrics.record("GET", "/probe" + (char) ('a' + i % 26) + "x".repeat(i / 26) + "/scan", 401, 1_000);
        }
        long uris = registry.get("http.server.requests").timers().stream()
                .map(t -> t.getId().getTag("uri")).distinct().count();
        assertThat(uris).isEqualTo(HttpRequestMetrics.MAX_URIS + 1); // the bound plus OTHER
        assertThat(registry.get("http.server.requests").tags("uri", "OTHER").timer().count()).isEqualTo(50);
    }
}
