package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;

/** What a SCIM operation answers: status, body, and the Location and ETag headers when they apply. */
public record ScimResult(int status, JsonNode body, String location, String etag) {

    public static ScimResult ok(JsonNode body, String etag) {
        return new ScimResult(200, body, null, etag);
    }

    public static ScimResult created(JsonNode body, String location, String etag) {
        return new ScimResult(201, body, location, etag);
    }

    public static ScimResult noContent() {
        return new ScimResult(204, null, null, null);
    }

    public static ScimResult noContent(String etag) {
        return new ScimResult(204, null, null, etag);
    }

    public static ScimResult notModified(String etag) {
        return new ScimResult(304, null, null, etag);
    }
}
