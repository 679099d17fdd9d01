package org.scimflow.scim;

import java.util.Locale;

/** Content types the SCIM API speaks: {@code application/scim+json} (MUST) and {@code application/json} (SHOULD). */
public final class ScimMediaTypes {

    public static final String SCIM_JSON = "application/scim+json";
    public static final String JSON = "application/json";

    private ScimMediaTypes() { }

    /** True for a request content type the API accepts, parameters such as charset allowed. */
    public static boolean isAccepted(String contentType) {
        if (contentType == null) {
            return false;
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return base.equals(SCIM_JSON) || base.equals(JSON);
    }
}
