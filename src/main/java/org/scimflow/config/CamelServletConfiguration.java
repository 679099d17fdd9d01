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

    @Bean("servlet")
    ServletComponent servletComponent() {
        ServletComponent component = new ServletComponent();
        component.setServletName(servletName);
        return component;
    }

    @Bean
    ServletRegistrationBean<CamelHttpTransportServlet> camelServlet() {
        ServletRegistrationBean<CamelHttpTransportServlet> reg =
                new ServletRegistrationBean<>(new FullPathServlet(), "/scim/v2/*", "/audit/v1/*");
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

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) {
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
    }
}
