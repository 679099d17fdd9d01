package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which group PATCHes take the one-row path, and the member changes they mean. */
class MemberPatchTest {

    static final ObjectMapper M = new ObjectMapper();

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"a\"},{\"value\":\"b\"}]}]", "a,b", ""),
                Arguments.of("[{\"op\":\"Add\",\"path\":\"Members\",\"value\":[{\"value\":\"a\",\"display\":\"A\"}]}]", "a", ""),
                Arguments.of("[{\"op\":\"Remove\",\"path\":\"members\",\"value\":[{\"value\":\"a\"}]}]", "", "a"),
                Arguments.of("[{\"op\":\"remove\",\"path\":\"members[value eq \\\"a\\\"]\"}]", "", "a"),
                Arguments.of("[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"a\"}]},"
                        + "{\"op\":\"remove\",\"path\":\"members[value eq \\\"a\\\"]\"}]", "", "a"),
                Arguments.of("[{\"op\":\"remove\",\"path\":\"members\",\"value\":[{\"value\":\"a\"}]},"
                        + "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"a\"}]}]", "a", ""),
                // Anything else goes the general way.
                Arguments.of("[{\"op\":\"replace\",\"path\":\"members\",\"value\":[{\"value\":\"a\"}]}]", null, null),
                Arguments.of("[{\"op\":\"remove\",\"path\":\"members\"}]", null, null),
                Arguments.of("[{\"op\":\"add\",\"path\":\"members\",\"value\":[]}]", null, null),
                Arguments.of("[{\"op\":\"add\",\"path\":\"members\",\"value\":[\"a\"]}]", null, null),
                Arguments.of("[{\"op\":\"remove\",\"path\":\"members[type eq \\\"User\\\"]\"}]", null, null),
                Arguments.of("[{\"op\":\"remove\",\"path\":\"members[value co \\\"a\\\"]\"}]", null, null),
                Arguments.of("[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"x\"}]", null, null),
                Arguments.of("[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"a\"}]},"
                        + "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"x\"}]", null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void recognisesMemberOnlyPatches(String ops, String added, String removed) throws Exception {
        Optional<MemberPatch.Changes> c = MemberPatch.parse(M.readTree(
                "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":" + ops + "}"));
        if (added == null) {
            assertThat(c).isEmpty();
            return;
        }
        assertThat(c).isPresent();
        assertThat(c.get().added()).containsExactlyElementsOf(added.isEmpty() ? List.of() : List.of(added.split(",")));
        assertThat(c.get().removed()).containsExactlyElementsOf(removed.isEmpty() ? List.of() : List.of(removed.split(",")));
    }

    @org.junit.jupiter.api.Test
    void withoutThePatchOpSchemaItIsNotRecognised() throws Exception {
        assertThat(MemberPatch.parse(M.readTree("{\"Operations\":[{\"op\":\"add\",\"path\":\"members\","
                + "\"value\":[{\"value\":\"a\"}]}]}"))).isEmpty();
    }
}
