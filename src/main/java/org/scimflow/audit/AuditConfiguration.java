package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import org.scimflow.config.ScimflowProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans shared by the audit feature. */
@Configuration(proxyBeanMethods = false)
public class AuditConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuditConfiguration.class);

    @Bean
    AuditRecordCodec auditRecordCodec(ObjectMapper mapper) {
        return new AuditRecordCodec(mapper);
    }

    /** UUIDv7: time-ordered ids of audit events and of new users and groups (decision 0014). */
    @Bean
    TimeBasedEpochGenerator eventIdGenerator() {
        return Generators.timeBasedEpochGenerator();
    }

    /** "Now" for decisions that tests move through time (retention). */
    @Bean
    java.time.Clock clock() {
        return java.time.Clock.systemUTC();
    }

    @Bean
    SigningKeys signingKeys(ScimflowProperties props) {
        return SigningKeys.open(props.keysDir(), props.getAudit().getSigning().getPrivateKeyPath());
    }

    @Bean
    AuditVerifier auditVerifier(javax.sql.DataSource dataSource, SigningKeys keys) {
        return new AuditVerifier(dataSource, keys);
    }

    @Bean
    Redactor redactor(ScimflowProperties props) {
        return new Redactor(props.getAudit().getRedactedAttributes());
    }

    /** Health says whether audit recording is on, so nobody has to guess. */
    @Bean
    HealthIndicator auditHealthIndicator(ScimflowProperties props) {
        boolean on = props.getAudit().isEnabled();
        if (!on) {
            log.warn("AUDIT RECORDING IS OFF (scimflow.audit.enabled=false): exchanges are not recorded");
        }
        return () -> (on ? Health.up() : Health.status("AUDIT_OFF")).withDetail("recording", on).build();
    }
}
