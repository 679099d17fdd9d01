package org.scimflow.config;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.camel.component.servlet.CamelHttpTransportServlet;
import org.apache.camel.component.servlet.ServletComponent;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The REST DSL's HTTP transport: Camel's servlet, mapped to the API prefixes, answering on the Tomcat
 * thread that received the request. (Camel's platform-http on Spring Boot goes through Spring MVC and
 * answers each call asynchronously, which dispatches every request twice; see docs/decisions/0012.)
 */
@Configuration(proxyBeanMethods = false)
public class CamelServletConfiguration {

    /**
     * Camel keeps servlets in a JVM-wide registry by name, so each application context (tests start
     * several in one JVM) gets its own name, shared by its servlet and its servlet component.
     */
    private final String servletName = "CamelServlet-" + java.util.UUID.randomUUID();

    /**
     * Health follows the routes: Tomcat takes calls a moment before Camel has started them (and after it
     * stopped them), when the API answers 503. Until then health says OUT_OF_SERVICE (HTTP 503), so a
     * readiness probe or load balancer does not send callers to a hub that would turn them away.
     */
    @Bean
    org.springframework.boot.actuate.health.HealthIndicator routesHealthIndicator(org.apache.camel.CamelContext camel) {
        return () -> routesHealth(camel);
    }

    static org.springframework.boot.actuate.health.Health routesHealth(org.apache.camel.CamelContext camel) {
        return (camel.isStarted() ? org.springframework.boot.actuate.health.Health.up()
                : org.springframework.boot.actuate.health.Health.outOfService())
                .withDetail("camel", camel.getStatus().name()).build();
    }

    @Bean("servlet")
    ServletComponent servletComponent() {
        ServletComponent component = new ServletComponent();
        component.setServletName(servletName);
        // A failure no route handled (an Error, say) answers 500 without Camel's default body, the stack trace.
        component.setMuteException(true);
        return component;
    }

    @Bean
    ServletRegistrationBean<CamelHttpTransportServlet> camelServlet(
            org.springframework.beans.factory.ObjectProvider<org.apache.camel.CamelContext> camel) {
        ServletRegistrationBean<CamelHttpTransportServlet> reg =
                new ServletRegistrationBean<>(new FullPathServlet(camel::getIfAvailable), "/scim/v2/*", "/audit/v1/*");
        reg.setName(servletName);
        reg.setLoadOnStartup(1);
        return reg;
    }

    /**
     * Matches routes on the whole path below the context ({@code /scim/v2/Users}), as the routes declare it,
     * whatever prefix the servlet is mapped to.
     */
    static final class FullPathServlet extends CamelHttpTransportServlet {
        private static final long serialVersionUID = 1L;
        private final transient java.util.function.Supplier<org.apache.camel.CamelContext> camel;
        /** Resolved once: asking the bean factory on every call cost about 3% of a lookup's CPU. */
        private transient volatile org.apache.camel.CamelContext context;

        FullPathServlet(java.util.function.Supplier<org.apache.camel.CamelContext> camel) {
            this.camel = camel;
        }

        @Override
        public void init(jakarta.servlet.ServletConfig config) throws jakarta.servlet.ServletException {
            super.init(config);
            setServletResolveConsumerStrategy(new RememberingResolver(getServletResolveConsumerStrategy()));
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) {
            // Tomcat takes calls a moment before Camel has started the routes (and after it stopped them):
            // a 404 then would tell an identity provider that a user does not exist.
            org.apache.camel.CamelContext context = this.context;
            if (context == null) {
                context = camel.get();
                this.context = context;
            }
            if (context == null || !context.isStarted()) {
                unavailable(res);
                return;
            }
            String refused = refusedBody(req);
            if (refused != null) {
                try {
                    org.scimflow.scim.ScimErrors.write(res, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, null, refused);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return;
            }
            super.service(new HttpServletRequestWrapper(req) {
                @Override
                public String getPathInfo() {
                    String info = req.getPathInfo();
                    return info == null ? req.getServletPath() : req.getServletPath() + info;
                }

                @Override
                public String getServletPath() {
                    return "";
                }
            }, res);
        }

        /**
         * Camel's REST resolver compares each call with every route's path (lower-casing and splitting each):
         * 8.6% of the hub's samples in a profile of lookups. This one remembers the answer for a method and
         * path that a route declares as is, without path parameters ({@code GET /scim/v2/Users}): a route
         * declaring the exact path is always Camel's first choice, so the answer holds while that route is
         * connected. Paths with parameters ({@code /Users/{id}}), other spellings of a path (matching ignores
         * case) and unknown paths are resolved by Camel every time. That makes one answer per static route
         * and method; {@link #MAX} bounds it all the same.
         */
        static final class RememberingResolver implements org.apache.camel.http.common.ServletResolveConsumerStrategy {
            static final int MAX = 256;
            private final org.apache.camel.http.common.ServletResolveConsumerStrategy camel;
            private final java.util.concurrent.ConcurrentHashMap<String, org.apache.camel.http.common.HttpConsumer> known =
                    new java.util.concurrent.ConcurrentHashMap<>();

            RememberingResolver(org.apache.camel.http.common.ServletResolveConsumerStrategy camel) {
                this.camel = camel;
            }

            @Override
            public org.apache.camel.http.common.HttpConsumer resolve(HttpServletRequest request,
                    java.util.Map<String, org.apache.camel.http.common.HttpConsumer> consumers) {
                String path = request.getPathInfo();
                if (path == null) {
                    return camel.resolve(request, consumers);
                }
                String key = request.getMethod() + ' ' + path;
                org.apache.camel.http.common.HttpConsumer consumer = known.get(key);
                // A reloaded or removed route has a new consumer (or none) under its endpoint's key.
                if (consumer != null && consumers.get(consumer.getEndpoint().getEndpointUri()) == consumer) {
                    return consumer;
                }
                consumer = camel.resolve(request, consumers);
                if (consumer != null && declaresExactly(consumer, path) && known.size() < MAX) {
                    known.put(key, consumer);
                } else {
                    known.remove(key);
                }
                return consumer;
            }

            @Override
            public boolean isHttpMethodAllowed(HttpServletRequest request, String method,
                    java.util.Map<String, org.apache.camel.http.common.HttpConsumer> consumers) {
                return camel.isHttpMethodAllowed(request, method, consumers);
            }

            int remembered() {
                return known.size();
            }

            /** The consumer's route declares this very path, without parameters. */
            private static boolean declaresExactly(org.apache.camel.http.common.HttpConsumer consumer, String path) {
                String declared = consumer.getPath();
                return declared != null && declared.indexOf('{') < 0 && trimSlashes(declared).equals(trimSlashes(path));
            }

            private static String trimSlashes(String p) {
                int from = p.startsWith("/") ? 1 : 0;
                int to = p.endsWith("/") && p.length() > from ? p.length() - 1 : p.length();
                return p.substring(from, to);
            }
        }

        /**
         * Why a request body cannot be read as JSON, before Camel's HTTP binding tries: it parses form
         * bodies as parameters and inflates gzip, and both failed there with a 500 (a form field without
         * '=', a body "not in GZIP format"). Null when
         * the body may go on to the route, which checks the media type itself.
         */
        static String refusedBody(HttpServletRequest req) {
            boolean body = req.getContentLengthLong() > 0 || req.getHeader("Transfer-Encoding") != null;
            if (!body) {
                return null;
            }
            String encoding = req.getHeader("Content-Encoding");
            if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
                return "Content-Encoding '" + encoding + "' is not supported: send the body uncompressed";
            }
            String type = req.getContentType();
            if (type == null) {
                return null;
            }
            String base = type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (base.equals("application/x-www-form-urlencoded") || base.startsWith("multipart/")) {
                return "Content-Type must be application/scim+json or application/json";
            }
            return null;
        }

        static void unavailable(HttpServletResponse res) {
            try {
                res.setHeader("Retry-After", "1");
                org.scimflow.scim.ScimErrors.write(res, HttpServletResponse.SC_SERVICE_UNAVAILABLE, null,
                        "The hub is starting or stopping; retry shortly");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
