package org.scimflow.support;

import java.util.UUID;

/** Request bodies shaped like the ones identity providers send. */
public final class Fixtures {

    /** The company extension the test hub declares in configuration (HubTest). */
    public static final String ACME = "urn:example:params:scim:schemas:extension:acme:2.0:User";
    public static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    private Fixtures() { }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A full User with the enterprise extension. */
    public static String user(String userName) {
        return """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
             "userName":"%s","externalId":"ext-%s","displayName":"Display %s",
             "name":{"givenName":"Ada","familyName":"Lovelace"},
             "emails":[{"value":"%s@example.com","type":"work","primary":true}],
             "active":true,
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"}}
            """.formatted(userName, userName, userName, userName);
    }

    /** A group with these member ids. */
    public static String group(String displayName, String... memberIds) {
        StringBuilder m = new StringBuilder();
        for (String id : memberIds) {
            m.append(m.length() == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\"}");
        }
        return "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"" + displayName
                + "\",\"members\":[" + m + "]}";
    }

    public static String patch(String operationsJson) {
        return "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":" + operationsJson + "}";
    }
}
