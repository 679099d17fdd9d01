package org.scimflow.scim;

import com.unboundid.scim2.common.exceptions.ScimException;

/** Weak ETags over resource versions and the {@code If-Match}/{@code If-None-Match} checks (RFC 7644 §3.14). */
public final class Versions {

    private Versions() { }

    public static String etag(long version) {
        return "W/\"" + version + "\"";
    }

    /** 412 unless {@code ifMatch} is absent, {@code *}, or lists the current version. */
    public static void checkIfMatch(String ifMatch, long version) throws ScimException {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return;
        }
        if (!matches(ifMatch, version)) {
            throw ScimErrors.preconditionFailed("Resource version is " + etag(version) + ", not " + ifMatch.trim());
        }
    }

    /** True if the list of entity tags names this version (weak comparison). */
    public static boolean matches(String header, long version) {
        if (header == null) {
            return false;
        }
        String want = String.valueOf(version);
        for (String tag : header.split(",")) {
            String t = tag.trim();
            if (t.equals("*")) {
                return true;
            }
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
                t = t.substring(1, t.length() - 1);
            }
            if (t.equals(want)) {
                return true;
            }
        }
        return false;
    }
}
