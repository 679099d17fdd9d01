package org.scimflow.support;

import java.util.UUID;

/** Request bodies shaped like the ones identity providers send. */
public final class Fixtures {

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

    public static String patch(String operationsJson) {
        return "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":" + operationsJson + "}";
    }
}
