package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scimflow.scim.schema.ResourceType;
import org.scimflow.scim.schema.ScimSchemas;

/** PATCH semantics as a pure function: a resource and operations in, the patched resource out. */
class PatchApplierTest {

    static final ObjectMapper M = new ObjectMapper();
    static final ResourceType USER = ScimSchemas.core().user();
    static final String BASE = """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen",
         "name":{"givenName":"Barbara","familyName":"Jensen"},
         "emails":[{"value":"b@work.com","type":"work","primary":true},{"value":"b@home.com","type":"home"}],
         "active":true}""";

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("replace sub-attribute", "[{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":\"Babs\"}]",
                        "/name/givenName", "\"Babs\""),
                Arguments.of("capitalised op", "[{\"op\":\"Replace\",\"path\":\"active\",\"value\":false}]",
                        "/active", "false"),
                Arguments.of("value-filter path", "[{\"op\":\"replace\",\"path\":\"emails[type eq \\\"home\\\"].value\",\"value\":\"n@home.com\"}]",
                        "/emails/1/value", "\"n@home.com\""),
                Arguments.of("remove by filter", "[{\"op\":\"remove\",\"path\":\"emails[type eq \\\"work\\\"]\"}]",
                        "/emails/0/type", "\"home\""),
                Arguments.of("add appends to multi-valued", "[{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"c@x.com\"}]}]",
                        "/emails/2/value", "\"c@x.com\""),
                Arguments.of("no path with dotted keys (Entra)", "[{\"op\":\"replace\",\"value\":{\"name.familyName\":\"J\",\"title\":\"Dr\"}}]",
                        "/name/familyName", "\"J\""),
                Arguments.of("no path keeps siblings", "[{\"op\":\"replace\",\"value\":{\"name.familyName\":\"J\"}}]",
                        "/name/givenName", "\"Barbara\""),
                Arguments.of("URN-qualified key", "[{\"op\":\"add\",\"value\":{\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department\":\"Ops\"}}]",
                        "/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User/department", "\"Ops\""),
                Arguments.of("URN path", "[{\"op\":\"add\",\"path\":\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber\",\"value\":\"42\"}]",
                        "/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User/employeeNumber", "\"42\""),
                Arguments.of("manager as a plain id (Entra)", "[{\"op\":\"Add\",\"path\":\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager\",\"value\":\"m-1\"}]",
                        "/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User/manager", "{\"value\":\"m-1\"}"),
                Arguments.of("manager as a plain id without path", "[{\"op\":\"replace\",\"value\":{\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager\":\"m-2\"}}]",
                        "/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User/manager", "{\"value\":\"m-2\"}"),
                Arguments.of("new primary clears the old one", "[{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"n@x.com\",\"primary\":true}]}]",
                        "/emails", "[{\"value\":\"b@work.com\",\"type\":\"work\",\"primary\":false},{\"value\":\"b@home.com\",\"type\":\"home\"},{\"value\":\"n@x.com\",\"primary\":true}]"),
                Arguments.of("primary by filter path", "[{\"op\":\"replace\",\"path\":\"emails[type eq \\\"home\\\"].primary\",\"value\":true}]",
                        "/emails", "[{\"value\":\"b@work.com\",\"type\":\"work\",\"primary\":false},{\"value\":\"b@home.com\",\"type\":\"home\",\"primary\":true}]"),
                Arguments.of("adding a value already there changes nothing", "[{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"b@home.com\",\"type\":\"home\"}]}]",
                        "/emails/2", "null"),
                Arguments.of("lowercase remove of an absent member value list is not an error", "[{\"op\":\"remove\",\"path\":\"emails\",\"value\":[{\"value\":\"nobody@x\"}]}]",
                        "/emails/1/value", "\"b@home.com\""),
                Arguments.of("replace whole multi-valued attribute", "[{\"op\":\"replace\",\"path\":\"emails\",\"value\":[{\"value\":\"only@x.com\"}]}]",
                        "/emails", "[{\"value\":\"only@x.com\"}]"),
                Arguments.of("remove single-valued", "[{\"op\":\"remove\",\"path\":\"name.givenName\"}]",
                        "/name", "{\"familyName\":\"Jensen\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void applies(String name, String ops, String pointer, String expected) throws Exception {
        ObjectNode out = new PatchApplier().apply(USER, base(), patch(ops)).resource();
        JsonNode want = M.readTree(expected);
        if (want.isNull()) {
            assertThat(out.at(pointer).isMissingNode()).as(out.toString()).isTrue();
        } else {
            assertThat(M.readTree(out.at(pointer).toString())).as(out.toString()).isEqualTo(want);
        }
    }

    @org.junit.jupiter.api.Test
    void theOriginalIsNeverModified() throws Exception {
        ObjectNode base = base();
        new PatchApplier().apply(USER, base,
                patch("[{\"op\":\"remove\",\"path\":\"emails\"},{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"x\"}]"));
        assertThat(base).isEqualTo(base());
    }

    @org.junit.jupiter.api.Test
    void passwordIsTakenOutAndReported() throws Exception {
        PatchApplier.Patched p = new PatchApplier().apply(USER, base(),
                patch("[{\"op\":\"replace\",\"path\":\"password\",\"value\":\"s3cret\"}]"));
        assertThat(p.writeOnlySet()).containsExactly("password");
        assertThat(p.resource().toString()).doesNotContain("s3cret");
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("[{\"op\":\"replace\",\"path\":\"meta.created\",\"value\":\"x\"}]", "mutability"),
                Arguments.of("[{\"op\":\"replace\",\"path\":\"groups\",\"value\":[]}]", "mutability"),
                Arguments.of("[{\"op\":\"remove\"}]", "noTarget"),
                Arguments.of("[{\"op\":\"replace\",\"path\":\"shoe\",\"value\":1}]", "invalidPath"),
                Arguments.of("[{\"op\":\"replace\",\"path\":\"emails[type eq\",\"value\":1}]", "invalidPath"),
                Arguments.of("[{\"op\":\"move\",\"path\":\"title\"}]", "invalidSyntax"),
                Arguments.of("[{\"op\":\"add\",\"path\":\"title\"}]", "invalidValue"),
                Arguments.of("[{\"op\":\"replace\",\"path\":\"emails[type eq \\\"pager\\\"].value\",\"value\":\"x\"}]", "noTarget"),
                Arguments.of("[{\"op\":\"remove\",\"path\":\"emails[type eq \\\"pager\\\"]\"}]", "noTarget"),
                Arguments.of("[{\"op\":\"replace\",\"path\":\"urn:x:unknown:User:a\",\"value\":1}]", "invalidPath"),
                Arguments.of("[{\"op\":\"replace\",\"path\":\"name.nope\",\"value\":1}]", "invalidPath"),
                Arguments.of("[{\"op\":\"add\",\"value\":{\"shoe\":1}}]", "invalidPath"),
                Arguments.of("[{\"op\":\"add\",\"value\":\"x\"}]", "invalidValue"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("errors")
    void rejects(String ops, String scimType) {
        assertThatThrownBy(() -> new PatchApplier().apply(USER, base(), patch(ops)))
                .isInstanceOf(ScimException.class)
                .satisfies(e -> assertThat(((ScimException) e).getScimError().getScimType()).isEqualTo(scimType));
    }

    @org.junit.jupiter.api.Test
    void groupMemberSubAttributesAreImmutable() throws Exception {
        ObjectNode group = (ObjectNode) M.readTree("{\"displayName\":\"g\",\"members\":[{\"value\":\"a\",\"type\":\"User\"}]}");
        assertThatThrownBy(() -> new PatchApplier().apply(ScimSchemas.core().group(), group,
                patch("[{\"op\":\"replace\",\"path\":\"members[value eq \\\"a\\\"].value\",\"value\":\"b\"}]")))
                .isInstanceOf(ScimException.class)
                .satisfies(e -> assertThat(((ScimException) e).getScimError().getScimType()).isEqualTo("mutability"));
    }

    static ObjectNode base() throws Exception {
        return (ObjectNode) M.readTree(BASE);
    }

    static JsonNode patch(String ops) throws Exception {
        return M.readTree("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":" + ops + "}");
    }
}
