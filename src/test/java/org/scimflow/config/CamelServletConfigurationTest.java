package org.scimflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Calls that arrive while Camel is not running get a retryable 503, never a 404 that says "no such user". */
class CamelServletConfigurationTest {

    @Test
    void beforeCamelHasStartedACallIsAskedToRetry() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            CamelServletConfiguration.FullPathServlet servlet = new CamelServletConfiguration.FullPathServlet(() -> camel);
            MockHttpServletRequest req = new MockHttpServletRequest("GET", "/scim/v2/Users/42");
            req.setServletPath("/scim/v2");
            req.setPathInfo("/Users/42");
            MockHttpServletResponse res = new MockHttpServletResponse();

            servlet.service(req, res);

            assertThat(res.getStatus()).isEqualTo(503);
            assertThat(res.getHeader("Retry-After")).isEqualTo("1");
            assertThat(res.getContentAsString()).contains("urn:ietf:params:scim:api:messages:2.0:Error");

            MockHttpServletResponse noContext = new MockHttpServletResponse();
            new CamelServletConfiguration.FullPathServlet(() -> null).service(req, noContext);
            assertThat(noContext.getStatus()).isEqualTo(503);
        }
    }

    @Test
    void healthIsOutOfServiceUntilTheRoutesRun() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            assertThat(CamelServletConfiguration.routesHealth(camel).getStatus())
                    .isEqualTo(org.springframework.boot.actuate.health.Status.OUT_OF_SERVICE);
            camel.start();
            assertThat(CamelServletConfiguration.routesHealth(camel).getStatus())
                    .isEqualTo(org.springframework.boot.actuate.health.Status.UP);
            camel.stop();
            assertThat(CamelServletConfiguration.routesHealth(camel).getStatus())
                    .isEqualTo(org.springframework.boot.actuate.health.Status.OUT_OF_SERVICE);
        }
    }

    /**
     * The resolver remembers only a route's own path without parameters, and only while that route's
     * consumer is connected; everything else goes to Camel's resolver each time.
     */
    @Test
    void onlyDeclaredStaticPathsAreRemembered() {
        org.apache.camel.http.common.HttpConsumer users = consumer("servlet:/scim/v2/Users?httpMethodRestrict=GET",
                "/scim/v2/Users");
        org.apache.camel.http.common.HttpConsumer byId = consumer("servlet:/scim/v2/Users/%7Bid%7D?httpMethodRestrict=GET",
                "/scim/v2/Users/{id}");
        java.util.Map<String, org.apache.camel.http.common.HttpConsumer> consumers = new java.util.HashMap<>();
        consumers.put("servlet:/scim/v2/Users?httpMethodRestrict=GET", users);
        consumers.put("servlet:/scim/v2/Users/%7Bid%7D?httpMethodRestrict=GET", byId);
        java.util.Map<String, org.apache.camel.http.common.HttpConsumer> answers = new java.util.HashMap<>();
        answers.put("/scim/v2/Users", users);
        answers.put("/scim/v2/USERS", users);
        answers.put("/scim/v2/Users/42", byId);
        int[] camelCalls = {0};
        var resolver = new CamelServletConfiguration.FullPathServlet.RememberingResolver(
                new org.apache.camel.http.common.ServletResolveConsumerStrategy() {
                    @Override
                    public org.apache.camel.http.common.HttpConsumer resolve(jakarta.servlet.http.HttpServletRequest r,
                            java.util.Map<String, org.apache.camel.http.common.HttpConsumer> c) {
                        camelCalls[0]++;
                        return answers.get(r.getPathInfo());
                    }

                    @Override
                    public boolean isHttpMethodAllowed(jakarta.servlet.http.HttpServletRequest r, String m,
                            java.util.Map<String, org.apache.camel.http.common.HttpConsumer> c) {
                        return true;
                    }
                });

        assertThat(resolver.resolve(get("/scim/v2/Users"), consumers)).isSameAs(users);
        assertThat(resolver.resolve(get("/scim/v2/Users"), consumers)).isSameAs(users);
        assertThat(camelCalls[0]).as("the second lookup is remembered").isEqualTo(1);

        assertThat(resolver.resolve(get("/scim/v2/Users/42"), consumers)).isSameAs(byId);
        assertThat(resolver.resolve(get("/scim/v2/Users/42"), consumers)).isSameAs(byId);
        assertThat(resolver.resolve(get("/scim/v2/USERS"), consumers)).isSameAs(users);
        assertThat(resolver.resolve(get("/scim/v2/USERS"), consumers)).isSameAs(users);
        assertThat(resolver.resolve(get("/scim/v2/Nothing"), consumers)).isNull();
        assertThat(camelCalls[0]).as("paths with parameters, other spellings and unknown paths ask Camel").isEqualTo(6);
        assertThat(resolver.remembered()).isEqualTo(1);

        // The route is reloaded: its endpoint has a new consumer, which is the one to answer.
        org.apache.camel.http.common.HttpConsumer reloaded = consumer("servlet:/scim/v2/Users?httpMethodRestrict=GET",
                "/scim/v2/Users");
        consumers.put("servlet:/scim/v2/Users?httpMethodRestrict=GET", reloaded);
        answers.put("/scim/v2/Users", reloaded);
        assertThat(resolver.resolve(get("/scim/v2/Users"), consumers)).isSameAs(reloaded);
        assertThat(camelCalls[0]).isEqualTo(7);
        // The route is removed: Camel decides (here: no route).
        consumers.remove("servlet:/scim/v2/Users?httpMethodRestrict=GET");
        answers.remove("/scim/v2/Users");
        assertThat(resolver.resolve(get("/scim/v2/Users"), consumers)).isNull();
    }

    private static MockHttpServletRequest get(String path) {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", path);
        req.setServletPath("");
        req.setPathInfo(path);
        return req;
    }

    private static org.apache.camel.http.common.HttpConsumer consumer(String uri, String path) {
        org.apache.camel.http.common.HttpCommonEndpoint endpoint =
                org.mockito.Mockito.mock(org.apache.camel.http.common.HttpCommonEndpoint.class);
        org.mockito.Mockito.when(endpoint.getEndpointUri()).thenReturn(uri);
        org.apache.camel.http.common.HttpConsumer consumer =
                org.mockito.Mockito.mock(org.apache.camel.http.common.HttpConsumer.class);
        org.mockito.Mockito.when(consumer.getEndpoint()).thenReturn(endpoint);
        org.mockito.Mockito.when(consumer.getPath()).thenReturn(path);
        return consumer;
    }
}
