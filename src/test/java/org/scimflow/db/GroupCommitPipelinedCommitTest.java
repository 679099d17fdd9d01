package org.scimflow.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.uuid.Generators;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.scimflow.audit.AuditEvent;
import org.scimflow.audit.AuditWriter;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A batch's audit records go in with the statement that also commits the batch's transaction
 * ({@link GroupCommit#mayCommitWithLastStatement}). That statement must not commit a transaction that
 * deferred work has marked rollback-only: the batch must roll back as a whole, and nothing in it may be
 * kept (nor kept twice, when the worker runs the write again on its own).
 */
class GroupCommitPipelinedCommitTest extends HubTest {

    @Autowired
    GroupCommit groupCommit;
    @Autowired
    AuditWriter writer;
    @Autowired
    PlatformTransactionManager tm;

    @Test
    void aTransactionMarkedRollbackOnlyIsNotCommittedWithItsAuditRecords() {
        String marker = "rollback-only-" + Generators.timeBasedEpochGenerator().generate();
        assertThatThrownBy(() -> groupCommit.execute(status -> {
            writer.append(AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                    .eventTime(Instant.now()).correlationId(marker).channel("system").action("test.rollback-only")
                    .outcome("success").actorType("system").build());
            // Runs after the append is registered, before the records go in: a participating transaction
            // fails, which marks the batch's transaction rollback-only.
            GroupCommit.beforeCommit(() -> {
                try {
                    new TransactionTemplate(tm).executeWithoutResult(s -> {
                        throw new IllegalStateException("refused");
                    });
                } catch (IllegalStateException expected) {
                    // the caller carries on; the transaction is rollback-only now
                }
            });
            return null;
        })).isInstanceOf(UnexpectedRollbackException.class);

        auditLinked();
        assertThat(jdbc.queryForObject("select (select count(*) from audit_event where correlation_id = ?) "
                + "+ (select count(*) from audit_inbox where correlation_id = ?)", Long.class, marker, marker))
                .isZero();
    }
}
