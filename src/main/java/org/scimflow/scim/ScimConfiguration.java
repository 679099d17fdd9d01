package org.scimflow.scim;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.scim.schema.ScimSchemas;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The beans the SCIM routes call, by the names the YAML uses. */
@Configuration(proxyBeanMethods = false)
public class ScimConfiguration {

    /** Core schemas plus the extensions under {@code scimflow.scim.extensions}. */
    @Bean
    ScimSchemas scimSchemas(ScimflowProperties props) {
        return ScimSchemas.from(props.getScim().getExtensions());
    }

    @Bean
    ScimEndpoint scimUsers(UserService users, ScimflowProperties props, ObjectMapper mapper) {
        return new ScimEndpoint(users, "User", props, mapper);
    }

    @Bean
    ScimEndpoint scimGroups(GroupService groups, ScimflowProperties props, ObjectMapper mapper) {
        return new ScimEndpoint(groups, "Group", props, mapper);
    }
}
