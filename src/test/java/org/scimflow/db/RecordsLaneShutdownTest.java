package org.scimflow.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.uuid.Generators;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.scimflow.audit.AuditEvent;
import org.scimflow.audit.AuditRecordCodec;
import org.scimflow.audit.AuditWriter;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Records of reads and rejected calls are queued, not waited for (AuditWriter.appendLater): the hub
 * must still hold every one of them once it has stopped. Here a records lane of its own is stopped while
 * thousands are still queued; stop() returns only when all of them are committed.
 */
class RecordsLaneShutdownTest extends HubTest {

    @Autowired
    PlatformTransactionManager tm;
    @Autowired
    ScimflowProperties props;

    @Test
    void everyQueuedRecordIsCommittedBeforeStopReturns() {
        GroupCommit lane = new GroupCommit(tm, 1);
        AuditWriter writer = new AuditWriter(jdbc, new AuditRecordCodec(mapper), mapper, props, lane);
        lane.start();
        String marker = "lane-stop-" + System.nanoTime();
        int n = 3000;
        for (int i = 0; i < n; i++) {
            writer.appendLater(AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                    .eventTime(Instant.now()).correlationId(marker).channel("scim-in").action("scim.user.read")
                    .outcome("success").actorType("client").actorId("lane-test").build());
        }
        int queuedAtStop = lane.waiting();

        lane.stop();

        assertThat(queuedAtStop).as("records still queued when stop was called").isPositive();
        assertThat(jdbc.queryForObject("select count(*) from audit_event where correlation_id = ?", Long.class, marker))
                .isEqualTo(n);
    }
}
