package org.scimflow.scim;

import org.scimflow.audit.RequestContext;

/** One SCIM request as the services see it: who and where from, the base URL, conditions and projection. */
public record ScimCall(RequestContext ctx, String baseUrl, String ifMatch, String ifNoneMatch, Projection projection) {

    public String location(String endpoint, Object id) {
        return baseUrl + "/scim/v2" + endpoint + "/" + id;
    }
}
