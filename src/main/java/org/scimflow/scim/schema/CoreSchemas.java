package org.scimflow.scim.schema;

import static org.scimflow.scim.schema.AttributeDefinition.complex;
import static org.scimflow.scim.schema.AttributeDefinition.of;
import static org.scimflow.scim.schema.AttributeDefinition.string;

import java.util.List;
import org.scimflow.scim.schema.AttributeDefinition.Mutability;
import org.scimflow.scim.schema.AttributeDefinition.Returned;
import org.scimflow.scim.schema.AttributeDefinition.Type;
import org.scimflow.scim.schema.AttributeDefinition.Uniqueness;

/** The RFC 7643 schemas: User (§4.1), Group (§4.2), Enterprise User (§4.3) and the common attributes (§3.1). */
public final class CoreSchemas {

    public static final String USER = "urn:ietf:params:scim:schemas:core:2.0:User";
    public static final String GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
    public static final String ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    public static final String LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    public static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    private CoreSchemas() { }

    private static final List<AttributeDefinition> COMMON = buildCommon();

    /** {@code id}, {@code externalId} and {@code meta}, which every resource has. */
    public static List<AttributeDefinition> common() {
        return COMMON;
    }

    private static List<AttributeDefinition> buildCommon() {
        return List.of(
                string("id").caseExact().readOnly().returned(Returned.ALWAYS).uniqueness(Uniqueness.SERVER)
                        .description("Unique identifier for the resource, assigned by the service provider."),
                string("externalId").caseExact()
                        .description("Identifier of the resource as defined by the provisioning client."),
                complex("meta",
                        string("resourceType").caseExact().readOnly(),
                        of("created", Type.DATE_TIME).readOnly(),
                        of("lastModified", Type.DATE_TIME).readOnly(),
                        of("location", Type.REFERENCE).caseExact().readOnly().referenceTypes("uri"),
                        string("version").caseExact().readOnly())
                        .readOnly().description("Resource metadata."));
    }

    private static AttributeDefinition multi(String name, String description, String... types) {
        return complex(name,
                string("value").description("The value."),
                string("display").readOnly().description("A human-readable name."),
                string("type").canonical(types).description("A label indicating the function."),
                of("primary", Type.BOOLEAN).description("The preferred value."))
                .multiValued().description(description);
    }

    public static SchemaDefinition user() {
        return new SchemaDefinition(USER, "User", "User Account",
                string("userName").required().uniqueness(Uniqueness.SERVER)
                        .description("Unique identifier for the User, used to authenticate."),
                complex("name",
                        string("formatted"), string("familyName"), string("givenName"), string("middleName"),
                        string("honorificPrefix"), string("honorificSuffix"))
                        .description("The components of the user's real name."),
                string("displayName").description("The name of the User, suitable for display."),
                string("nickName").description("The casual way to address the user."),
                of("profileUrl", Type.REFERENCE).referenceTypes("external").description("Profile URL."),
                string("title").description("The user's title."),
                string("userType").description("Relationship between the organization and the user."),
                string("preferredLanguage").description("Preferred written or spoken language."),
                string("locale").description("Default location for localization."),
                string("timezone").description("Time zone in IANA format."),
                of("active", Type.BOOLEAN).description("The user's administrative status."),
                string("password").mutability(Mutability.WRITE_ONLY).returned(Returned.NEVER)
                        .description("The user's clear-text password; never returned, never stored by this hub."),
                multi("emails", "Email addresses for the user.", "work", "home", "other"),
                multi("phoneNumbers", "Phone numbers for the user.", "work", "home", "mobile", "fax", "pager", "other"),
                multi("ims", "Instant messaging addresses.", "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
                multi("photos", "URLs of photos of the user.", "photo", "thumbnail"),
                complex("addresses",
                        string("formatted"), string("streetAddress"), string("locality"), string("region"),
                        string("postalCode"), string("country"),
                        string("type").canonical("work", "home", "other"),
                        of("primary", Type.BOOLEAN))
                        .multiValued().description("A physical mailing address for this User."),
                complex("groups",
                        string("value").readOnly(),
                        of("$ref", Type.REFERENCE).readOnly().referenceTypes("User", "Group"),
                        string("display").readOnly(),
                        string("type").readOnly().canonical("direct", "indirect"))
                        .multiValued().readOnly().description("Groups the user belongs to (derived)."),
                multi("entitlements", "Entitlements of the user."),
                multi("roles", "Roles of the user."),
                complex("x509Certificates",
                        of("value", Type.BINARY), string("display"), string("type"), of("primary", Type.BOOLEAN))
                        .multiValued().description("X.509 certificates issued to the user."));
    }

    public static SchemaDefinition enterpriseUser() {
        return new SchemaDefinition(ENTERPRISE_USER, "EnterpriseUser", "Enterprise User",
                string("employeeNumber"), string("costCenter"), string("organization"), string("division"),
                string("department"),
                complex("manager",
                        string("value").description("The id of the manager's User resource."),
                        of("$ref", Type.REFERENCE).referenceTypes("User"),
                        string("displayName").readOnly())
                        .description("The user's manager."));
    }

    public static SchemaDefinition group() {
        return new SchemaDefinition(GROUP, "Group", "Group",
                string("displayName").required().description("A human-readable name for the Group."),
                complex("members",
                        string("value").immutable().description("Identifier of the member."),
                        of("$ref", Type.REFERENCE).immutable().referenceTypes("User", "Group"),
                        string("display").readOnly(),
                        string("type").immutable().canonical("User", "Group"))
                        .multiValued().description("A list of members of the Group."));
    }
}
