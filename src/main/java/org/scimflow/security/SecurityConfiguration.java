package org.scimflow.security;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Locale;
import org.scimflow.scim.ScimErrors;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Every endpoint needs a bearer token except {@code GET /actuator/health} and the auditor console's static
 * files; each area needs its role: SCIM API {@code scim}, audit API {@code auditor} (running retention,
 * {@code POST /audit/v1/retention/run}, {@code admin}), operations and metrics {@code admin}.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    /**
     * Request matchers compare paths themselves ({@code PathPatternRequestMatcher}) instead of asking
     * Spring MVC which handler would take the request: the API is served by Camel's servlet, which
     * Spring MVC does not know about anyway.
     */
    @Bean
    static PathPatternRequestMatcher.Builder pathPatternRequestMatcherBuilder() {
        return PathPatternRequestMatcher.withDefaults();
    }

    /**
     * With Spring MVC present, Spring Security wraps its filter chain in a filter that asks every Spring
     * MVC handler mapping about each request and caches the answer for MVC-based matchers. No matcher here
     * is MVC-based (see above), and the lookups cost about an eighth of the hub's CPU under SCIM load
     * (docs/decisions/0012), so the chain is unwrapped. If Spring Security changes how it wraps the chain,
     * this leaves it as it is.
     */
    @Bean
    static org.springframework.beans.factory.config.BeanFactoryPostProcessor unwrapIntrospectorCacheFilter() {
        return beanFactory -> {
            if (beanFactory instanceof org.springframework.beans.factory.support.BeanDefinitionRegistry registry
                    && registry.containsBeanDefinition(CHAIN)) {
                BeanDefinition chain = registry.getBeanDefinition(CHAIN);
                BeanDefinition unwrapped = withoutIntrospectorCache(chain);
                if (unwrapped != chain) {
                    registry.removeBeanDefinition(CHAIN);
                    registry.registerBeanDefinition(CHAIN, unwrapped);
                }
            }
        };
    }

    /**
     * No observation around each security filter: they cost more than all the other metrics together and
     * nobody reads them; HTTP request metrics are recorded once per call by the access-audit filter.
     */
    @Bean
    static org.springframework.security.config.observation.SecurityObservationSettings noSecurityObservations() {
        return org.springframework.security.config.observation.SecurityObservationSettings.noObservations();
    }

    private static final String CHAIN = "springSecurityFilterChain";
    /** Spring Security's wrapper that adds the Spring MVC lookup filter in front of the chain. */
    static final String MVC_WRAPPER = "WebMvcSecurityConfiguration$CompositeFilterChainProxy";

    /** The definition with Spring MVC's wrapper taken out wherever it sits among the chain's wrappers. */
    static BeanDefinition withoutIntrospectorCache(BeanDefinition def) {
        var arg = def.getConstructorArgumentValues().getIndexedArgumentValue(0, null);
        if (arg == null || !(arg.getValue() instanceof java.util.List<?> filters)) {
            return def;
        }
        String type = def.getBeanClassName();
        if (type != null && type.endsWith(MVC_WRAPPER) && filters.size() == 2
                && filters.get(1) instanceof BeanDefinition wrapped) {
            return withoutIntrospectorCache(wrapped);
        }
        @SuppressWarnings("unchecked")
        java.util.List<Object> list = (java.util.List<Object>) filters;
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof BeanDefinition inner) {
                list.set(i, withoutIntrospectorCache(inner));
            }
        }
        return def;
    }


    /**
     * The console's policy: its own script and styles only, no inline code, no framing, and forms that cannot
     * navigate (so a token typed into the sign-in form never ends up in a URL, even without JavaScript).
     */
    public static final String CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    /**
     * The auditor console's files hold no data and are served to anyone; every call they make goes to
     * {@code /audit/v1/**} with the auditor's bearer token (see docs/decisions/0007).
     */
    @Bean
    @Order(1)
    SecurityFilterChain consoleFilterChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/ui", "/ui/**")
                .csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .servletApi(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(h -> h
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONSOLE_CSP))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER))
                        .frameOptions(f -> f.deny()))
                .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> {
                    res.setHeader("Allow", "GET, HEAD");
                    ScimErrors.write(res, HttpServletResponse.SC_METHOD_NOT_ALLOWED, null,
                            "The auditor console is read-only: it serves files to GET");
                }))
                .authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.GET, "/ui", "/ui/**").permitAll()
                        .requestMatchers(HttpMethod.HEAD, "/ui", "/ui/**").permitAll()
                        .anyRequest().denyAll());
        return http.build();
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, ClientRegistry registry)
            throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .servletApi(AbstractHttpConfigurer::disable)
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
                        // Retention purges archived months of the audit log: an operation, not a read.
                        .requestMatchers(asCamelMatches("POST", "/audit/v1/retention/run")).hasRole("ADMIN")
                        .requestMatchers("/audit/v1/**").hasRole("AUDITOR")
                        .requestMatchers("/admin/v1/**", "/actuator/**").hasRole("ADMIN")
                        .anyRequest().authenticated());
        return http.build();
    }

    /**
     * A call to {@code path} as Camel's REST matching finds it: Camel ignores case and trailing slashes,
     * so a matcher on the exact spelling let {@code POST /audit/v1/Retention/Run} (or {@code .../run/})
     * past this rule to the broader auditor one, and Camel then ran the admin's operation. The path is
     * the decoded one the Camel servlet passes on; the firewall has already refused encoded slashes, dot
     * segments and double slashes, and methods that are not upper case.
     */
    static RequestMatcher asCamelMatches(String method, String path) {
        String wanted = path.toLowerCase(Locale.ROOT);
        return request -> {
            if (!method.equals(request.getMethod())) {
                return false;
            }
            String info = request.getPathInfo();
            String called = (info == null ? request.getServletPath() : request.getServletPath() + info)
                    .toLowerCase(Locale.ROOT);
            int end = called.length();
            while (end > 1 && called.charAt(end - 1) == '/') {
                end--;
            }
            return called.substring(0, end).equals(wanted);
        };
    }

    /** No user database: clients are bearer tokens only (also silences Boot's generated password). */
    /**
     * What Spring Security's firewall refuses (a method it does not know, a header it will not pass) gets a
     * SCIM error like every other refusal; its default answered 400 with no body at all.
     */
    @Bean
    org.springframework.security.web.firewall.RequestRejectedHandler scimRequestRejectedHandler() {
        return (request, response, rejected) -> org.scimflow.scim.ScimErrors.write(response, 400, "invalidSyntax",
                "The request was refused before it reached the API (method, header or path not accepted)");
    }

    @Bean
    UserDetailsService userDetailsService() {
        return new InMemoryUserDetailsManager();
    }
}
