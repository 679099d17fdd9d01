package org.scimflow.security;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import org.scimflow.scim.ScimErrors;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * Every endpoint needs a bearer token except {@code GET /actuator/health}; each area needs its role:
 * SCIM API {@code scim}, audit API and console {@code auditor}, operations and metrics {@code admin}.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, ClientRegistry registry)
            throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new BearerTokenFilter(registry), AnonymousAuthenticationFilter.class)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> {
                            res.setHeader("WWW-Authenticate", "Bearer realm=\"scimflow\"");
                            ScimErrors.write(res, HttpServletResponse.SC_UNAUTHORIZED, null,
                                    "Authentication required: send Authorization: Bearer <token>");
                        })
                        .accessDeniedHandler((req, res, ex) -> ScimErrors.write(res,
                                HttpServletResponse.SC_FORBIDDEN, null, "This client's roles do not allow this call")))
                .authorizeHttpRequests(a -> a
                        .dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll()
                        .requestMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers("/scim/v2/**").hasRole("SCIM")
                        .requestMatchers("/audit/v1/**", "/ui/**").hasRole("AUDITOR")
                        .requestMatchers("/admin/v1/**", "/actuator/**").hasRole("ADMIN")
                        .anyRequest().authenticated());
        return http.build();
    }

    /** No user database: clients are bearer tokens only (also silences Boot's generated password). */
    @Bean
    UserDetailsService userDetailsService() {
        return new InMemoryUserDetailsManager();
    }
}
