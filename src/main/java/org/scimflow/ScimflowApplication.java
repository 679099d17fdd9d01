package org.scimflow;

import org.scimflow.config.ScimflowProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Entry point of the scimflow provisioning hub. */
@SpringBootApplication
@EnableConfigurationProperties(ScimflowProperties.class)
public class ScimflowApplication {
    public static void main(String[] args) {
        SpringApplication.run(ScimflowApplication.class, args);
    }
}
