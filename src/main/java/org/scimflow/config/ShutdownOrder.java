package org.scimflow.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Camel must stop before the database goes: its routes finish in-flight exchanges (audit records of
 * reads and rejected calls among them) on shutdown. Camel's context refers to our beans by name only,
 * so Spring does not know the order by itself; this declares it.
 */
@Configuration(proxyBeanMethods = false)
public class ShutdownOrder {

    @Bean
    static BeanFactoryPostProcessor camelStopsBeforeTheDatabase() {
        return factory -> {
            if (!factory.containsBeanDefinition("camelContext") || !factory.containsBeanDefinition("dataSource")) {
                return;
            }
            BeanDefinition camel = factory.getBeanDefinition("camelContext");
            List<String> deps = new ArrayList<>(camel.getDependsOn() == null ? List.of() : Arrays.asList(camel.getDependsOn()));
            if (!deps.contains("dataSource")) {
                deps.add("dataSource");
            }
            camel.setDependsOn(deps.toArray(String[]::new));
        };
    }
}
