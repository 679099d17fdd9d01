package org.scimflow.config;

import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import jakarta.servlet.DispatcherType;
import org.scimflow.audit.AuditWriter;
import org.scimflow.audit.RequestAuditFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Servlet-level wiring: the access-audit filter runs first, before authentication. */
@Configuration(proxyBeanMethods = false)
public class WebConfiguration {

    @Bean
    FilterRegistrationBean<RequestAuditFilter> requestAuditFilter(AuditWriter writer, TimeBasedEpochGenerator ids,
                                                                  ScimflowProperties props) {
        FilterRegistrationBean<RequestAuditFilter> reg = new FilterRegistrationBean<>(
                new RequestAuditFilter(writer, ids, props.getScim().getMaxBodyBytes()));
        reg.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        reg.setDispatcherTypes(DispatcherType.REQUEST);
        reg.addUrlPatterns("/*");
        return reg;
    }
}
