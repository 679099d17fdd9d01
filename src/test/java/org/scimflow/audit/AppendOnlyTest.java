package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** The database itself refuses to change or remove audit records. */
class AppendOnlyTest extends HubTest {

    @Autowired
    @Qualifier("ownerDataSource")
    DataSource owner;
    @Autowired
    TransactionTemplate tx;

    @BeforeEach
    void atLeastOneRecord() {
        api.get("/scim/v2/Users?count=0");
        org.awaitility.Awaitility.await().until(() -> jdbc.queryForObject("select count(*) from audit_event", Long.class) > 0);
    }

    @Test
    void theRuntimeRoleCannotUpdateDeleteOrTruncate() {
        assertThatThrownBy(() -> jdbc.update("update audit_event set action = 'x' where seq = 1"))
                .hasStackTraceContaining("permission denied");
        assertThatThrownBy(() -> jdbc.update("delete from audit_event where seq = 1"))
                .hasStackTraceContaining("permission denied");
        assertThatThrownBy(() -> jdbc.execute("truncate audit_event")).hasStackTraceContaining("permission denied");
    }

    /**
     * Every right the runtime role holds on the audit tables: appends only (the log itself and the chain
     * head through the owner's sequencing function), plus the relay's position. A new grant fails here first.
     */
    @Test
    void theRuntimeRoleHoldsOnlyTheseRightsOnAuditTables() {
        Map<String, String> rights = new TreeMap<>();
        jdbc.query("""
                select table_name, string_agg(privilege_type, ',' order by privilege_type)
                  from information_schema.role_table_grants
                 where grantee = current_user and table_name like 'audit%'
                 group by table_name""", rs -> {
            rights.put(rs.getString(1), rs.getString(2));
        });
        assertThat(rights).isEqualTo(new TreeMap<>(Map.of(
                "audit_archive", "INSERT,SELECT",
                "audit_chain_head", "SELECT",
                "audit_checkpoint", "INSERT,SELECT",
                "audit_event", "SELECT",
                "audit_inbox", "INSERT,SELECT",
                "audit_purge", "SELECT",
                "audit_relay_state", "SELECT,UPDATE",
                "audit_signing_key", "INSERT,SELECT",
                "audit_verification", "INSERT,SELECT")));
        assertThatThrownBy(() -> jdbc.update("update audit_signing_key set public_key = public_key"))
                .hasStackTraceContaining("permission denied");
    }

    /**
     * Every function the runtime role may run with the owner's rights (SECURITY DEFINER): sequencing the
     * inbox into the log, and the partition upkeep whose checks are in SQL. A new one fails here first.
     */
    @Test
    void theRuntimeRoleRunsOnlyTheseFunctionsWithTheOwnersRights() {
        assertThat(jdbc.queryForList("""
                select p.proname::text from pg_proc p
                 where p.pronamespace = current_schema()::regnamespace and p.prosecdef
                   and has_function_privilege(current_user, p.oid, 'EXECUTE')
                 order by 1""", String.class))
                .containsExactly("audit_drop_partition", "audit_ensure_partitions", "audit_partitions",
                        "audit_sequence_inbox");
    }

    /** Records leave the inbox only through the owner's sequencing function, into the log. */
    @Test
    void theRuntimeRoleCannotTakeRecordsOutOfTheInbox() {
        for (String sql : new String[] {"delete from audit_inbox", "update audit_inbox set action = action",
                "truncate audit_inbox"}) {
            assertThatThrownBy(() -> jdbc.execute(sql)).as(sql).hasStackTraceContaining("permission denied");
        }
        JdbcTemplate asOwner = new JdbcTemplate(owner);
        // A row of its own to update (row triggers fire per row); one implicit transaction, rolled back.
        String waiting = "insert into audit_inbox (event_id, schema_version, event_time, recorded_time, "
                + "correlation_id, channel, action, outcome, content_hash) values ('" + java.util.UUID.randomUUID()
                + "', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'c', 'system', 'x', 'success', sha256('x')); ";
        for (String sql : new String[] {waiting + "update audit_inbox set action = action", "truncate audit_inbox"}) {
            assertThatThrownBy(() -> asOwner.execute("set session_replication_role = replica; " + sql))
                    .as(sql).hasStackTraceContaining("not allowed");
        }
    }

    @Test
    void triggersRejectChangesEvenFromTheOwnerInReplicaMode() {
        JdbcTemplate asOwner = new JdbcTemplate(owner);
        for (String sql : new String[] {
                "update audit_event set action = 'x' where seq = 1",
                "delete from audit_event where seq = 1",
                "truncate audit_event"}) {
            assertThatThrownBy(() -> asOwner.execute("set session_replication_role = replica; " + sql))
                    .as(sql).hasStackTraceContaining("append-only");
        }
        assertThat(jdbc.queryForObject("select action from audit_event where seq = 1", String.class)).isNotEqualTo("x");
    }
}
