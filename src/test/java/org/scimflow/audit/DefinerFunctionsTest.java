package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The audit functions that run with their owner's rights (SECURITY DEFINER) are the runtime role's only
 * way to write audit records. Each must resolve the names it uses to the schema's own objects: with the
 * caller's search path, where the caller's temporary tables come first, the runtime role could slip in
 * a table of its own whose trigger then runs as the function's owner.
 */
class DefinerFunctionsTest extends HubTest {

    @Autowired
    DataSource dataSource;
    @Autowired
    @Qualifier("ownerDataSource")
    DataSource owner;

    @Test
    void everyDefinerFunctionFixesItsSearchPathWithTemporaryObjectsLast() {
        List<String> unsafe = jdbc.queryForList("""
                select p.oid::regprocedure::text
                  from pg_proc p
                 where p.pronamespace = current_schema()::regnamespace and p.prosecdef
                   and not exists (select 1 from unnest(p.proconfig) c
                                    where c = 'search_path=' || quote_ident(current_schema()) || ', pg_temp')
                """, String.class);
        assertThat(jdbc.queryForObject("select count(*) from pg_proc where pronamespace = current_schema()::regnamespace"
                + " and prosecdef", Long.class)).as("definer functions in the schema").isPositive();
        assertThat(unsafe).as("definer functions without search_path = <schema>, pg_temp").isEmpty();
    }

    /**
     * The attack itself, on a fresh session of the runtime role (a pooled one may hold plans made before):
     * temporary tables named like the chain head, the inbox and the log, the log with a trigger that makes the runtime
     * role a superuser. The call runs in a transaction that is rolled back, so the shared chain stays as it was.
     */
    @Test
    void theRuntimeRoleCannotRedirectSequencingToTablesOfItsOwn() throws SQLException {
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
        try (Connection con = DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
             Statement st = con.createStatement()) {
            assertThat(single(st, "select rolsuper from pg_roles where rolname = current_user")).isEqualTo("f");
            con.setAutoCommit(false);
            try {
                st.execute("create temp table audit_chain_head (chain_id int, seq bigint, head_hash bytea, "
                        + "chain_time timestamptz)");
                st.execute("insert into audit_chain_head values (1, 0, decode(repeat('00', 32), 'hex'), now())");
                st.execute("create temp table audit_event as select * from " + schema(st) + ".audit_event where false");
                st.execute("""
                        create function pg_temp.escalate() returns trigger language plpgsql as $$
                        begin
                            execute 'alter role ' || quote_ident(session_user) || ' superuser';
                            return new;
                        end $$""");
                st.execute("create trigger escalate before insert on pg_temp.audit_event for each row "
                        + "execute function pg_temp.escalate()");
                st.execute("create temp table audit_inbox as select * from " + schema(st) + ".audit_inbox where false");
                // A real record waiting, so the sequencer has something to write (where it writes is the question).
                st.execute("insert into " + schema(st) + ".audit_inbox (event_id, schema_version, event_time, "
                        + "recorded_time, correlation_id, channel, action, outcome, content_hash) values ('"
                        + java.util.UUID.randomUUID() + "', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'c', "
                        + "'system', 'x', 'success', sha256('x'))");
                assertThat(single(st, "select audit_sequence_inbox(10) > 0")).isEqualTo("t");
                assertThat(single(st, "select rolsuper from pg_roles where rolname = current_user"))
                        .as("the runtime role became a superuser").isEqualTo("f");
                assertThat(single(st, "select count(*) from pg_temp.audit_event"))
                        .as("records written to the caller's own table").isEqualTo("0");
            } finally {
                con.rollback();
            }
        } finally {
            // Should the attack ever work, take the right back before any other test runs with it.
            new JdbcTemplate(owner).execute(
                    "alter role " + jdbc.queryForObject("select current_user", String.class) + " nosuperuser");
        }
    }

    private static String schema(Statement st) throws SQLException {
        return single(st, "select quote_ident(current_schema())");
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
