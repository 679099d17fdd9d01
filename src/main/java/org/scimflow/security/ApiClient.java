package org.scimflow.security;

import java.util.Set;

/** A caller of the hub's API: its id, the SHA-256 of its bearer token, and its roles. */
public record ApiClient(String id, byte[] tokenSha256, Set<String> roles) {

    public static final String ROLE_SCIM = "scim";
    public static final String ROLE_AUDITOR = "auditor";
    public static final String ROLE_ADMIN = "admin";
    public static final Set<String> ALL_ROLES = Set.of(ROLE_SCIM, ROLE_AUDITOR, ROLE_ADMIN);
}
