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
}
