package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.scim2.common.exceptions.ScimException;

/** The SCIM operations on one resource type (RFC 7644 §3.3–§3.6). */
public interface ScimResourceOperations {
    ScimResult create(ScimCall call, JsonNode body) throws ScimException;
    ScimResult get(ScimCall call, String id) throws ScimException;
    ScimResult list(ScimCall call, ListRequest request) throws ScimException;
    ScimResult replace(ScimCall call, String id, JsonNode body) throws ScimException;
    ScimResult patch(ScimCall call, String id, JsonNode body) throws ScimException;
    ScimResult delete(ScimCall call, String id) throws ScimException;
}
