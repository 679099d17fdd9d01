package org.scimflow.scim.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scimflow.scim.GroupService;
import org.scimflow.scim.UserService;

/** SCIM filter text to SQL with bound parameters, table-driven. */
class FilterSqlBuilderTest {

    private final FilterSqlBuilder users = new FilterSqlBuilder(UserService.TABLE);
    private final FilterSqlBuilder groups = new FilterSqlBuilder(GroupService.TABLE);

    static Stream<Arguments> userFilters() {
        UUID id = UUID.fromString("2819c223-7f76-453a-919d-413861904646");
        return Stream.of(
                Arguments.of("userName eq \"Bjensen\"", "r.user_name_lc = ?", List.of("bjensen")),
                Arguments.of("externalId eq \"AbC\"", "r.external_id = ?", List.of("AbC")),
                Arguments.of("displayName eq \"Babs J\"", "lower(r.display_name) = ?", List.of("babs j")),
                Arguments.of("userName sw \"j_%\"", "r.user_name_lc like ? escape '\\'", List.of("j\\_\\%%")),
                Arguments.of("active eq true", "r.active = ?", List.of(true)),
                Arguments.of("id eq \"" + id + "\"", "r.id = ?", List.of(id)),
                Arguments.of("id eq \"not-a-uuid\"", "false", List.of()),
                Arguments.of("name.familyName co \"ens\"",
                        "lower(r.resource -> 'name' ->> 'familyName') like ? escape '\\'", List.of("%ens%")),
                Arguments.of("title pr", "nullif(r.resource ->> 'title', '') is not null", List.of()),
                Arguments.of("userName eq \"a\" and not (active eq false)",
                        "(r.user_name_lc = ? and not coalesce((r.active = ?), false))", List.of("a", false)),
                Arguments.of("userName eq \"a\" or userName eq \"b\" and active eq true",
                        "(r.user_name_lc = ? or (r.user_name_lc = ? and r.active = ?))", List.of("a", "b", true)),
                Arguments.of("emails.value eq \"X@Y.com\"",
                        "exists (select 1 from jsonb_array_elements(coalesce(r.resource -> 'emails', '[]'::jsonb)) e "
                                + "where lower(e ->> 'value') = ?)", List.of("x@y.com")),
                Arguments.of("emails[type eq \"work\" and value co \"@x\"]",
                        "exists (select 1 from jsonb_array_elements(coalesce(r.resource -> 'emails', '[]'::jsonb)) e1 "
                                + "where (lower(e1->>'type') = ? and lower(e1->>'value') like ? escape '\\'))",
                        List.of("work", "%@x%")),
                Arguments.of("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"701984\"",
                        "lower((r.resource -> 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User') ->> "
                                + "'employeeNumber') = ?", List.of("701984")),
                Arguments.of("groups.value eq \"" + id + "\"",
                        "exists (select 1 from scim_group_member m where m.member_id = r.id and m.group_id = ?)",
                        List.of(id)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("userFilters")
    void translatesUserFilters(String filter, String sql, List<Object> params) throws Exception {
        SqlFilter f = users.build(filter);
        assertThat(f.sql()).isEqualTo(sql);
        assertThat(f.params()).containsExactlyElementsOf(params);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFilters")
    void rejectsBadFiltersWithInvalidFilter(String filter) {
        assertThatThrownBy(() -> users.build(filter)).isInstanceOf(BadRequestException.class)
                .satisfies(e -> assertThat(((BadRequestException) e).getScimError().getScimType()).isEqualTo("invalidFilter"));
    }

    static Stream<String> badFilters() {
        String deep = "userName eq \"a\"";
        for (int i = 0; i < 20; i++) {
            deep = "not (" + deep + ")";
        }
        return Stream.of("userName eq", "nope eq \"x\"", "active eq \"yes\"", "meta.created gt \"soon\"",
                "emails[type eq \"work\"", "password eq \"x\"", "name.nope eq \"x\"", "urn:x:y:z eq \"1\"",
                "emails[value eq \"a\" and emails[value eq \"b\"]]", deep, "a".repeat(5000));
    }

    @org.junit.jupiter.api.Test
    void groupMembersBecomeAMembershipSubquery() throws Exception {
        UUID id = UUID.randomUUID();
        SqlFilter f = groups.build("members[value eq \"" + id + "\"]");
        assertThat(f.sql()).isEqualTo("exists (select 1 from scim_group_member m where m.group_id = r.id and m.member_id = ?)");
        assertThat(f.params()).containsExactly(id);
    }
}
