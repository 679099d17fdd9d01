package org.scimflow.config;

import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.scimflow.audit.AuditWriter;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.context.ServletWebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Requests Tomcat refuses on its own get a SCIM error and an audit record ({@link ContainerErrorValve}). */
@Configuration(proxyBeanMethods = false)
public class ContainerErrors {

    /** Tomcat's host creates its error report valve from this class name when it starts. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> scimErrorReportValve() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ContainerErrorValve.class.getName());
            }
        });
    }

    /** Hands the audit writer to the valve Tomcat created. */
    @Bean
    ApplicationListener<ServletWebServerInitializedEvent> containerErrorsAudited(AuditWriter writer,
                                                                                 TimeBasedEpochGenerator ids) {
        return event -> {
            if (event.getWebServer() instanceof TomcatWebServer tomcat) {
                for (Valve valve : tomcat.getTomcat().getHost().getPipeline().getValves()) {
                    if (valve instanceof ContainerErrorValve errors) {
                        errors.recordWith(writer, ids);
                    }
                }
            }
        };
    }
}
