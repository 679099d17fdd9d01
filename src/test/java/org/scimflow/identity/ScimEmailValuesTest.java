package org.scimflow.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scimflow.support.HubTest;
import org.springframework.jdbc.core.ConnectionCallback;

/**
 * The email index's function was rewritten from SQL to PL/pgSQL (V14) without rebuilding the index, which
 * is only sound if both versions return the same array for every resource: an index entry computed by
 * the old version must still be found by a query computed with the new one.
 */
class ScimEmailValuesTest extends HubTest {

    /** scim_email_values as V4 defined it, under another name in this session's temporary schema. */
    static final String V4_VERSION = """
            create or replace function pg_temp.scim_email_values_v4(resource jsonb) returns text[]
            language sql immutable as $$
                select coalesce(array_agg(lower(e ->> 'value')), '{}')
                from jsonb_array_elements(case when jsonb_typeof(resource -> 'emails') = 'array'
                                               then resource -> 'emails' else '[]'::jsonb end) e
            $$""";

    static final List<String> RESOURCES = List.of(
            "{\"emails\":[{\"value\":\"Ann.Lee@Example.COM\",\"type\":\"work\",\"primary\":true},"
                    + "{\"value\":\"ann@home.example\",\"type\":\"home\"}]}",
            "{\"emails\":[]}",
            "{\"userName\":\"no-emails\"}",
            "{\"emails\":null}",
            "{\"emails\":\"ann@example.com\"}",
            "{\"emails\":{\"value\":\"ann@example.com\"}}",
            "{\"emails\":[{\"type\":\"work\"},{\"value\":\"B@X.ORG\"}]}",
            "{\"emails\":[\"plain@example.com\",null,{\"value\":null},{\"value\":42},{\"value\":{\"x\":\"Y\"}}]}",
            "{\"emails\":[{\"value\":\"ÉLODIE@EXAMPLE.FR\"},{\"value\":\"\\u00C9va@example.fr\"}]}",
            "{}");

    @Test
    void returnsWhatTheSqlVersionReturnedForEveryShapeOfEmails() {
        List<String[]> now = new ArrayList<>();
        List<String[]> before = new ArrayList<>();
        jdbc.execute((ConnectionCallback<Void>) con -> {
            try (Statement st = con.createStatement()) {
                st.execute(V4_VERSION);
            }
            try (PreparedStatement ps = con.prepareStatement(
                    "select scim_email_values(?::jsonb), pg_temp.scim_email_values_v4(?::jsonb)")) {
                for (String r : RESOURCES) {
                    ps.setString(1, r);
                    ps.setString(2, r);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        now.add((String[]) rs.getArray(1).getArray());
                        before.add((String[]) rs.getArray(2).getArray());
                    }
                }
            }
            try (Statement st = con.createStatement()) {
                st.execute("drop function pg_temp.scim_email_values_v4(jsonb)");
            }
            return null;
        });
        for (int i = 0; i < RESOURCES.size(); i++) {
            assertThat(now.get(i)).as(RESOURCES.get(i)).containsExactly(before.get(i));
        }
        // The comparison is only as good as the inputs: these are what the index is for.
        assertThat(now.get(0)).containsExactly("ann.lee@example.com", "ann@home.example");
        assertThat(now.get(1)).isEmpty();
        assertThat(now.get(7)).containsExactly(null, null, null, "42", "{\"x\": \"y\"}");
    }

    @Test
    void isNoLongerAnSqlFunctionThatIsPlannedForEveryRow() {
        assertThat(jdbc.queryForObject("select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang"
                + " where p.proname = 'scim_email_values'", String.class)).isEqualTo("plpgsql");
    }
}
