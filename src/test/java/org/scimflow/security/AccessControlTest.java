package org.scimflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.security.web.FilterChainProxy;

/**
 * Who may call what, over HTTP: no token is 401, a valid token without the area's role is 403, the
 * right role passes (elsewhere any valid token gets as far as a 404), and health is the one open endpoint. Paths are matched by the security filter
 * itself, not by asking Spring MVC (the API is Camel's servlet), so each area is checked for real.
 */
class AccessControlTest extends HubTest {

    @Autowired
    ApplicationContext context;

    @ParameterizedTest(name = "{0} {1} as {2} -> {3}")
    @CsvSource({
            "GET, /scim/v2/Users, none, 401",
            "GET, /scim/v2/Users, auditor, 403",
            "GET, /scim/v2/Users, scim, 200",
            "GET, /scim/v2/ServiceProviderConfig, none, 401",
            "GET, /scim/v2/Groups, admin, 200",
            "GET, /audit/v1/events, none, 401",
            "GET, /audit/v1/events, scim, 403",
            "GET, /audit/v1/events, auditor, 200",
            "GET, /actuator, none, 401",
            "GET, /actuator, auditor, 403",
            "GET, /actuator, admin, 200",
            "GET, /actuator/health, none, 200",
            "GET, /somewhere/else, none, 401",
            "GET, /somewhere/else, scim, 404",
    })
    void eachAreaNeedsItsRole(String method, String path, String who, int status) {
        Map<String, String> tokens = Map.of("scim", SCIM_TOKEN, "auditor", AUDITOR_TOKEN, "admin", TOKEN);
        var client = who.equals("none") ? api.withToken(null) : api.withToken(tokens.get(who));
        assertThat(client.send(method, path, null, null, Map.of()).status()).isEqualTo(status);
    }

    @Test
    void healthIsServedWith503WhenTheHubCannotServe() {
        var mapper = context.getBean(org.springframework.boot.actuate.health.HttpCodeStatusMapper.class);
        assertThat(mapper.getStatusCode(org.springframework.boot.actuate.health.Status.DOWN)).isEqualTo(503);
        assertThat(mapper.getStatusCode(org.springframework.boot.actuate.health.Status.OUT_OF_SERVICE)).isEqualTo(503);
        assertThat(mapper.getStatusCode(new org.springframework.boot.actuate.health.Status("TAMPERED"))).isEqualTo(200);
        assertThat(mapper.getStatusCode(new org.springframework.boot.actuate.health.Status("AUDIT_OFF"))).isEqualTo(200);
        assertThat(mapper.getStatusCode(org.springframework.boot.actuate.health.Status.UP)).isEqualTo(200);
        // Once the routes run, the open health endpoint says so.
        assertThat(api.withToken(null).get("/actuator/health").status()).isEqualTo(200);
    }

    @Test
    void requestMetricsNameTheRouteCamelServed() {
        var meters = context.getBean(io.micrometer.core.instrument.MeterRegistry.class);
        java.util.function.Supplier<Long> served = () -> meters.find("http.server.requests")
                .tags("method", "GET", "uri", "/scim/v2/Users", "status", "200", "outcome", "SUCCESS").timers()
                .stream().mapToLong(io.micrometer.core.instrument.Timer::count).sum();
        long before = served.get();
        assertThat(api.withToken(SCIM_TOKEN).get("/scim/v2/Users?count=1").status()).isEqualTo(200);
        // Recorded when the filter chain unwinds, just after the response went out.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(served.get()).isEqualTo(before + 1));
        assertThat(meters.find("http.server.requests").tag("uri", "UNKNOWN").timers()).isEmpty();
        // One timer per call, not an observation per security filter.
        assertThat(meters.find("spring.security.filterchains").timers()).isEmpty();
    }

    @Test
    void theSecurityChainDoesNotConsultSpringMvcOnEveryRequest() {
        var factory = (org.springframework.beans.factory.config.ConfigurableListableBeanFactory)
                context.getAutowireCapableBeanFactory();
        assertThat(definitionsIn(factory.getBeanDefinition("springSecurityFilterChain")))
                .isNotEmpty()
                .noneMatch(type -> type.contains("HandlerMappingIntrospector"))
                .noneMatch(type -> type.endsWith(SecurityConfiguration.MVC_WRAPPER));
        assertThat(context.getBean("springSecurityFilterChain")).isInstanceOf(FilterChainProxy.class);
    }

    /** The class names of a bean definition and of every definition nested in its constructor arguments. */
    private static java.util.List<String> definitionsIn(org.springframework.beans.factory.config.BeanDefinition def) {
        java.util.List<String> out = new java.util.ArrayList<>();
        out.add(String.valueOf(def.getBeanClassName()));
        for (var holder : def.getConstructorArgumentValues().getIndexedArgumentValues().values()) {
            if (holder.getValue() instanceof java.util.List<?> list) {
                for (Object o : list) {
                    if (o instanceof org.springframework.beans.factory.config.BeanDefinition inner) {
                        out.addAll(definitionsIn(inner));
                    }
                }
            }
        }
        return out;
    }
}
