package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
