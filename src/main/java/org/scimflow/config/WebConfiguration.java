package org.scimflow.config;

import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import jakarta.servlet.DispatcherType;
import org.scimflow.audit.AuditWriter;
import org.scimflow.audit.RequestAuditFilter;
import org.scimflow.scim.ScimMethodGuard;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Servlet-level wiring: the access-audit filter runs first, before authentication; the SCIM verb guard after it. */
@Configuration(proxyBeanMethods = false)
public class WebConfiguration {

    @Bean
    FilterRegistrationBean<RequestAuditFilter> requestAuditFilter(AuditWriter writer, TimeBasedEpochGenerator ids,
                                                                  ScimflowProperties props,
                                                                  io.micrometer.core.instrument.MeterRegistry meters) {
        FilterRegistrationBean<RequestAuditFilter> reg = new FilterRegistrationBean<>(
                new RequestAuditFilter(writer, ids, props.getScim().getMaxBodyBytes(), new HttpRequestMetrics(meters)));
        reg.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        reg.setDispatcherTypes(DispatcherType.REQUEST);
        reg.addUrlPatterns("/*");
        return reg;
    }

    /** After Spring Security (order -100): unsupported verbs on SCIM endpoints get a SCIM 405. */
    @Bean
    FilterRegistrationBean<ScimMethodGuard> scimMethodGuard() {
        FilterRegistrationBean<ScimMethodGuard> reg = new FilterRegistrationBean<>(new ScimMethodGuard());
        reg.setOrder(0);
        reg.setDispatcherTypes(DispatcherType.REQUEST);
        reg.addUrlPatterns("/scim/v2/*");
        return reg;
    }
}
