package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.scim.schema.ResourceType;
import org.scimflow.scim.schema.ScimSchemas;

/** Schema validation as a pure function, table-driven: body in, canonical resource or SCIM error out. */
class ResourceValidatorTest {

    static final ObjectMapper M = new ObjectMapper();
    static final String ACME = "urn:example:acme:1.0:User";
    static final ResourceType USER = ScimSchemas.from(List.of(acme())).user();

    static ScimflowProperties.Extension acme() {
        ScimflowProperties.Extension e = new ScimflowProperties.Extension();
        e.setSchema(ACME);
        ScimflowProperties.Attribute level = new ScimflowProperties.Attribute();
        level.setName("level");
        level.setCanonicalValues(List.of("Junior", "Senior"));
        ScimflowProperties.Attribute badge = new ScimflowProperties.Attribute();
        badge.setName("badge");
        badge.setType("integer");
        badge.setRequired(true);
        e.setAttributes(List.of(level, badge));
        return e;
    }

    static String user(String extra) {
        return "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"u\"" + extra + "}";
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("boolean as string", user(",\"active\":\"False\""), "/active", "false"),
                Arguments.of("attribute names case-insensitive", user(",\"DISPLAYNAME\":\"D\""), "/displayName", "\"D\""),
                Arguments.of("read-only ignored", user(",\"id\":\"x\",\"meta\":{\"version\":\"1\"},\"groups\":[{\"value\":\"g\"}]"),
                        "/id", null),
                Arguments.of("URN-qualified core attribute", user(",\"urn:ietf:params:scim:schemas:core:2.0:User:title\":\"T\""),
                        "/title", "\"T\""),
                Arguments.of("manager as plain id", user(",\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":"
                        + "{\"manager\":\"m1\"}"), "/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User/manager",
                        "{\"value\":\"m1\"}"),
                Arguments.of("canonical value spelled as declared", user(",\"" + ACME + "\":{\"level\":\"senior\",\"badge\":7}"),
                        "/" + ACME + "/level", "\"Senior\""),
                Arguments.of("non-canonical core type kept", user(",\"emails\":[{\"value\":\"a@b\",\"type\":\"alumni\"}]"),
                        "/emails/0/type", "\"alumni\""),
                Arguments.of("null means absent", user(",\"title\":null"), "/title", null),
                Arguments.of("integer", user(",\"" + ACME + "\":{\"badge\":1}"), "/" + ACME + "/badge", "1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void accepts(String name, String body, String pointer, String expected) throws Exception {
        JsonNode out = new ResourceValidator().normalize(USER, M.readTree(body)).resource();
        if (expected == null) {
            assertThat(out.at(pointer).isMissingNode()).as(out.toString()).isTrue();
        } else {
            assertThat(out.at(pointer)).isEqualTo(M.readTree(expected));
        }
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("unknown attribute", user(",\"shoe\":1"), "invalidSyntax"),
                Arguments.of("unknown sub-attribute", user(",\"name\":{\"nick\":\"x\"}"), "invalidSyntax"),
                Arguments.of("single-valued given an array", user(",\"title\":[\"a\"]"), "invalidValue"),
                Arguments.of("multi-valued given an object", user(",\"emails\":{\"value\":\"a\"}"), "invalidValue"),
                Arguments.of("two primaries", user(",\"emails\":[{\"value\":\"a\",\"primary\":true},{\"value\":\"b\","
                        + "\"primary\":true}]"), "invalidValue"),
                Arguments.of("not a canonical value", user(",\"" + ACME + "\":{\"level\":\"Guru\",\"badge\":1}"), "invalidValue"),
                Arguments.of("required extension attribute missing", user(",\"" + ACME + "\":{\"level\":\"Junior\"}"),
                        "invalidValue"),
                Arguments.of("integer given a string", user(",\"" + ACME + "\":{\"badge\":\"7\"}"), "invalidValue"),
                Arguments.of("integer given a decimal", user(",\"" + ACME + "\":{\"badge\":7.5}"), "invalidValue"),
                Arguments.of("boolean given a word", user(",\"active\":\"yes\""), "invalidValue"),
                Arguments.of("binary not base64", user(",\"x509Certificates\":[{\"value\":\"%%%\"}]"), "invalidValue"),
                Arguments.of("complex given a number", user(",\"name\":5"), "invalidValue"),
                Arguments.of("missing userName", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"]}",
                        "invalidValue"),
                Arguments.of("blank userName", user("").replace("\"u\"", "\"  \""), "invalidValue"),
                Arguments.of("schemas without the core schema", "{\"schemas\":[\"" + ACME + "\"],\"userName\":\"u\"}",
                        "invalidSyntax"),
                Arguments.of("unknown schema", "{\"schemas\":[\"urn:x\"],\"userName\":\"u\"}", "invalidValue"),
                Arguments.of("extension not an object", user(",\"" + ACME + "\":\"x\""), "invalidValue"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejects(String name, String body, String scimType) {
        assertThatThrownBy(() -> new ResourceValidator().normalize(USER, M.readTree(body)))
                .isInstanceOf(ScimException.class)
                .satisfies(e -> assertThat(((ScimException) e).getScimError().getScimType()).isEqualTo(scimType));
    }

    @org.junit.jupiter.api.Test
    void passwordIsTakenOutNeverStored() throws Exception {
        ResourceValidator.Normalized n = new ResourceValidator().normalize(USER, M.readTree(user(",\"password\":\"s3cret\"")));
        assertThat(n.resource().has("password")).isFalse();
        assertThat(n.writeOnlySet()).containsExactly("password");
    }
}
