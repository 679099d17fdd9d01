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
import org.scimflow.config.ScimflowProperties;
import org.scimflow.scim.schema.ScimSchemas;

/** SCIM filter text to SQL with bound parameters, table-driven. */
class FilterSqlBuilderTest {

    private static final ScimSchemas SCHEMAS = ScimSchemas.from(List.of(companyExtension()));
    private final FilterSqlBuilder users = new FilterSqlBuilder(ResourceTable.users(SCHEMAS.user()));
    private final FilterSqlBuilder groups = new FilterSqlBuilder(ResourceTable.groups(SCHEMAS.group()));

    /** A configured extension with a multi-valued string, an integer, a dateTime and a boolean. */
    static ScimflowProperties.Extension companyExtension() {
        ScimflowProperties.Extension e = new ScimflowProperties.Extension();
        e.setSchema("urn:example:scim:acme:1.0:User");
        e.setAttributes(List.of(attr("tags", "string", true), attr("badge", "integer", false),
                attr("hired", "dateTime", false), attr("contractor", "boolean", false)));
        return e;
    }

    static ScimflowProperties.Attribute attr(String name, String type, boolean multi) {
        ScimflowProperties.Attribute a = new ScimflowProperties.Attribute();
        a.setName(name);
        a.setType(type);
        a.setMultiValued(multi);
        return a;
    }

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
                        "scim_email_values(r.resource) @> array[?]::text[] and "
                                + "exists (select 1 from jsonb_array_elements(coalesce(r.resource -> 'emails', '[]'::jsonb)) e "
                                + "where lower(e ->> 'value') = ?)", List.of("x@y.com", "x@y.com")),
                Arguments.of("emails[type eq \"work\"].value eq \"A@X.com\"",
                        "scim_email_values(r.resource) @> array[?]::text[] and "
                                + "exists (select 1 from jsonb_array_elements(coalesce(r.resource -> 'emails', '[]'::jsonb)) e1 "
                                + "where (lower(e1->>'type') = ? and lower(e1->>'value') = ?))",
                        List.of("a@x.com", "work", "a@x.com")),
                Arguments.of("emails[type eq \"work\" and value co \"@x\"]",
                        "exists (select 1 from jsonb_array_elements(coalesce(r.resource -> 'emails', '[]'::jsonb)) e1 "
                                + "where (lower(e1->>'type') = ? and lower(e1->>'value') like ? escape '\\'))",
                        List.of("work", "%@x%")),
                Arguments.of("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"701984\"",
                        "lower((r.resource -> 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User') ->> "
                                + "'employeeNumber') = ?", List.of("701984")),
                Arguments.of("groups.value eq \"" + id + "\"",
                        "exists (select 1 from scim_group_member m where m.member_id = r.id and m.group_id = ?)",
                        List.of(id)),
                Arguments.of("userName ew \"@x.com\"", "r.user_name_lc like ? escape '\\'", List.of("%@x.com")),
                Arguments.of("userName gt \"M\"", "r.user_name_lc > ?", List.of("m")),
                Arguments.of("externalId ne \"A\"", "(r.external_id is null or r.external_id <> ?)", List.of("A")),
                Arguments.of("meta.lastModified ge \"2024-01-01T00:00:00Z\"", "r.last_modified >= ?",
                        List.of(java.time.OffsetDateTime.parse("2024-01-01T00:00:00Z"))),
                Arguments.of("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"A\"", "r.user_name_lc = ?",
                        List.of("a")),
                Arguments.of("emails[primary eq true]",
                        "exists (select 1 from jsonb_array_elements(coalesce(r.resource -> 'emails', '[]'::jsonb)) e1 "
                                + "where (e1->>'primary')::boolean = ?)", List.of(true)),
                Arguments.of("not (emails pr)",
                        "not coalesce((jsonb_array_length(coalesce(r.resource -> 'emails', '[]'::jsonb)) > 0), false)",
                        List.of()),
                Arguments.of("(userName eq \"a\" or userName eq \"b\") and active eq true",
                        "((r.user_name_lc = ? or r.user_name_lc = ?) and r.active = ?)", List.of("a", "b", true)),
                Arguments.of("urn:example:scim:acme:1.0:User:tags eq \"Blue\"",
                        "exists (select 1 from jsonb_array_elements(coalesce((r.resource -> 'urn:example:scim:acme:1.0:User')"
                                + " -> 'tags', '[]'::jsonb)) e where lower((e #>> '{}')) = ?)", List.of("blue")),
                Arguments.of("urn:example:scim:acme:1.0:User:badge ge 42",
                        "((r.resource -> 'urn:example:scim:acme:1.0:User') ->> 'badge')::numeric >= ?",
                        List.of(new java.math.BigDecimal("42"))),
                Arguments.of("urn:example:scim:acme:1.0:User:hired lt \"2025-06-01T00:00:00Z\"",
                        "((r.resource -> 'urn:example:scim:acme:1.0:User') ->> 'hired')::timestamptz < ?",
                        List.of(java.time.OffsetDateTime.parse("2025-06-01T00:00:00Z"))),
                Arguments.of("urn:example:scim:acme:1.0:User:contractor eq false",
                        "((r.resource -> 'urn:example:scim:acme:1.0:User') ->> 'contractor')::boolean = ?",
                        List.of(false)));
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
                "emails[value eq \"a\" and emails[value eq \"b\"]]", deep, "a".repeat(5000),
                "userName eq \"a\" and", "userName eq \"a\")", "active gt true", "emails[type eq \"work\"",
                "urn:example:scim:acme:1.0:User:badge eq \"x\"", "name eq \"x\"", "meta.created eq 5",
                "userName eq 5", "emails[shoe eq \"x\"]");
    }

    static Stream<Arguments> narrowing() {
        return Stream.of(
                Arguments.of("userName eq \"a\"", true),
                Arguments.of("userName sw \"a\"", true),
                Arguments.of("userName co \"abc\"", true),
                Arguments.of("userName co \"ab\"", false),
                Arguments.of("displayName ew \"son\"", true),
                Arguments.of("externalId co \"abc\"", false),
                Arguments.of("externalId eq \"abc\"", true),
                Arguments.of("meta.lastModified gt \"2024-01-01T00:00:00Z\"", true),
                Arguments.of("active eq true", false),
                Arguments.of("title eq \"x\"", false),
                Arguments.of("userName ne \"a\"", false),
                Arguments.of("not (userName eq \"a\")", false),
                Arguments.of("title eq \"x\" and userName eq \"a\"", true),
                Arguments.of("title eq \"x\" or userName eq \"a\"", false),
                Arguments.of("userName eq \"b\" or externalId eq \"a\"", true),
                Arguments.of("emails[type eq \"work\"]", false),
                Arguments.of("emails[type eq \"work\"].value eq \"a@x.com\"", true),
                Arguments.of("emails[value eq \"a@x.com\" and primary eq true]", true),
                Arguments.of("emails.value eq \"a@x.com\"", true),
                Arguments.of("emails.value co \"a@x.com\"", false),
                Arguments.of("groups.value eq \"2819c223-7f76-453a-919d-413861904646\"", true),
                Arguments.of("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"1\"", false));
    }

    @ParameterizedTest(name = "{0} -> indexed {1}")
    @MethodSource("narrowing")
    void knowsWhichFiltersAnIndexNarrows(String filter, boolean indexed) throws Exception {
        assertThat(users.build(filter).indexed()).isEqualTo(indexed);
    }

    static Stream<Arguments> rewrites() {
        return Stream.of(
                Arguments.of("emails[type eq \"work\"].value eq \"a@x\"", "emails[(type eq \"work\") and value eq \"a@x\"]"),
                Arguments.of("emails[type eq \"w]ork\"].value pr", "emails[(type eq \"w]ork\") and value pr]"),
                Arguments.of("userName eq \"a].b eq \\\"c\\\"\"", "userName eq \"a].b eq \\\"c\\\"\""),
                Arguments.of("emails[type eq \"work\"] and title eq \"x\"", "emails[type eq \"work\"] and title eq \"x\""),
                Arguments.of("emails[type eq \"work\"].value eq abc", "emails[(type eq \"work\") and value eq abc]"),
                Arguments.of("emails[type eq \"work\"].value eq \"open", "emails[(type eq \"work\") and value eq \"open]"),
                Arguments.of("emails[type eq \"work\"].value PR and x pr", "emails[(type eq \"work\") and value PR] and x pr"),
                Arguments.of("emails[type eq \"work\"].value prx", "emails[type eq \"work\"].value prx"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rewrites")
    void inlinesAValuePathComparisonAndNothingElse(String in, String out) {
        assertThat(FilterSqlBuilder.inlineValuePathComparisons(in)).isEqualTo(out);
    }

    /**
     * Values as long as a filter may be, plain or made of escapes: matching them once took a regular
     * expression a stack frame per character, and about 1,750 characters overflowed a request thread's
     * stack (a 500 with no audit record). Run on a thread with half a request thread's stack, after the
     * parser's classes are loaded, so it fails well below that length if the matching recurses again.
     */
    @org.junit.jupiter.api.Test
    void longValuesAfterAValuePathNeedNoStackPerCharacter() throws Exception {
        String head = "emails[type eq \"work\"].value eq \"";
        String plain = "a".repeat(FilterSqlBuilder.MAX_FILTER_LENGTH - head.length() - 1);
        String escapes = "\\\"".repeat((FilterSqlBuilder.MAX_FILTER_LENGTH - head.length() - 1) / 2);
        java.util.List<Object> results = new java.util.ArrayList<>();
        users.build(head + "a\"");
        Thread t = new Thread(null, () -> {
            try {
                for (String value : java.util.List.of(plain, escapes)) {
                    results.add(FilterSqlBuilder.inlineValuePathComparisons(head + value + "\""));
                }
                results.add(users.build(head + plain + "\"").indexed());
            } catch (Throwable e) {
                results.add(e);
            }
        }, "small-stack", 512 * 1024);
        t.start();
        t.join();
        assertThat(results).containsExactly(
                "emails[(type eq \"work\") and value eq \"" + plain + "\"]",
                "emails[(type eq \"work\") and value eq \"" + escapes + "\"]",
                true);
    }

    @org.junit.jupiter.api.Test
    void groupMembersBecomeAMembershipSubquery() throws Exception {
        UUID id = UUID.randomUUID();
        SqlFilter f = groups.build("members[value eq \"" + id + "\"]");
        assertThat(f.sql()).isEqualTo("exists (select 1 from scim_group_member m where m.group_id = r.id and m.member_id = ?)");
        assertThat(f.params()).containsExactly(id);
    }

    /** Text checks read JSON escapes as the parser does: an escaped backslash is not the start of an escape. */
    @org.junit.jupiter.api.Test
    void onlyTextPostgreSqlCanHoldAsGivenPasses() throws Exception {
        for (String ok : List.of("displayName eq \"a\\uD83D\\uDE00b\"", "displayName eq \"a\\\\u0000\"",
                "displayName eq \"\\\\uD800\"", "displayName eq \"\u00e9\\u00E9\"")) {
            FilterSqlBuilder.requireStorableText(ok);
        }
        for (String bad : List.of("userName eq \"a\\u0000b\"", "userName eq \"a\u0000b\"",
                "displayName eq \"a\\uD800b\"", "displayName eq \"\\uDE00\"", "displayName eq \"\\uD83D\\u0041\"")) {
            assertThatThrownBy(() -> FilterSqlBuilder.requireStorableText(bad)).as(bad).isInstanceOf(BadRequestException.class);
        }
    }
}
