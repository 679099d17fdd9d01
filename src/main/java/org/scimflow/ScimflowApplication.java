package org.scimflow;

import org.scimflow.audit.AuditCli;
import org.scimflow.config.ScimflowProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Entry point of the scimflow provisioning hub. */
@SpringBootApplication
@EnableConfigurationProperties(ScimflowProperties.class)
public class ScimflowApplication {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("audit")) {
            // Offline tools (verify, verify-export) run without starting the hub.
            System.exit(new AuditCli(System.out, System.err).run(args));
        }
        SpringApplication.run(ScimflowApplication.class, args);
    }
}
