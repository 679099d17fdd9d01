package org.scimflow.scim;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers a verb a SCIM endpoint does not support with 405, an {@code Allow} header and a SCIM error
 * body (RFC 7644 §3.12), before any route runs; runs after authentication, so callers without the
 * {@code scim} role still get 401/403. The access record is written by the audit filter.
 */
public class ScimMethodGuard extends OncePerRequestFilter {

    private record Rule(Pattern path, List<String> methods) { }

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("/scim/v2/(ServiceProviderConfig|Schemas|ResourceTypes)(/[^/]+)?/?"), List.of("GET")),
            new Rule(Pattern.compile("/scim/v2/Bulk/?"), List.of("POST")),
            new Rule(Pattern.compile("/scim/v2/(Users|Groups)/\\.search/?"), List.of("POST")),
            new Rule(Pattern.compile("/scim/v2/(Users|Groups)/?"), List.of("GET", "POST")),
            new Rule(Pattern.compile("/scim/v2/(Users|Groups)/[^/]+/?"), List.of("GET", "PUT", "PATCH", "DELETE")));

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/scim/v2/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI();
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        for (Rule r : RULES) {
            if (r.path().matcher(path).matches()) {
                if (!r.methods().contains(method)) {
                    response.setHeader("Allow", String.join(", ", r.methods()));
                    ScimErrors.write(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, null,
                            method + " is not supported on " + path + "; allowed: " + String.join(", ", r.methods()));
                    return;
                }
                break;
            }
        }
        chain.doFilter(request, response);
    }
}
