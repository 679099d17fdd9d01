package org.scimflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.component.servlet.CamelHttpTransportServlet;
import org.apache.camel.http.common.HttpConsumer;
import org.junit.jupiter.api.Test;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.servlet.ServletRegistrationBean;

/** The remembering resolver in the running hub: it engages for the routes as they are declared. */
class ServletResolverHubTest extends HubTest {

    @Autowired
    ServletRegistrationBean<CamelHttpTransportServlet> registration;

    @Test
    void aCollectionPathIsRememberedAndItsConsumerRecognised() {
        CamelHttpTransportServlet servlet = registration.getServlet();
        assertThat(servlet.getServletResolveConsumerStrategy())
                .isInstanceOf(CamelServletConfiguration.FullPathServlet.RememberingResolver.class);
        var resolver = (CamelServletConfiguration.FullPathServlet.RememberingResolver) servlet.getServletResolveConsumerStrategy();

        assertThat(api.get("/scim/v2/Users?count=1").status()).isEqualTo(200);
        assertThat(api.get("/scim/v2/Users?count=1").status()).isEqualTo(200);
        assertThat(resolver.remembered()).as("GET /scim/v2/Users is remembered").isPositive();
        // What the resolver relies on to notice a reloaded route: each consumer is registered under its endpoint's URI.
        for (HttpConsumer c : servlet.getConsumers().values()) {
            assertThat(servlet.getConsumers().get(c.getEndpoint().getEndpointUri())).isSameAs(c);
        }
        assertThat(api.get("/scim/v2/users?count=1").status()).as("paths match regardless of case, as before")
                .isEqualTo(200);
    }
}
