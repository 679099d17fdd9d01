package org.scimflow.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/** Authenticates {@code Authorization: Bearer <token>} against the {@link ClientRegistry}. */
public class BearerTokenFilter extends OncePerRequestFilter {

    /** Request attribute holding the authenticated {@link ApiClient}. */
    public static final String CLIENT_ATTRIBUTE = "scimflow.client";
    private final ClientRegistry registry;

    public BearerTokenFilter(ClientRegistry registry) {
        this.registry = registry;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            if (!token.isEmpty()) {
                registry.authenticate(token).ifPresent(client -> {
                    List<SimpleGrantedAuthority> authorities = client.roles().stream()
                            .map(r -> new SimpleGrantedAuthority("ROLE_" + r.toUpperCase(Locale.ROOT)))
                            .toList();
                    var auth = new UsernamePasswordAuthenticationToken(client.id(), null, authorities);
                    SecurityContextHolder.getContext().setAuthentication(auth);
                    request.setAttribute(CLIENT_ATTRIBUTE, client);
                });
            }
        }
        chain.doFilter(request, response);
    }
}
