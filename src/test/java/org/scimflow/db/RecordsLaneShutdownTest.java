package org.scimflow.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.uuid.Generators;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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
 * thousands are still queued; stop() returns only when all of them are committed. The lane gathers
 * records for a while before each batch (scimflow.db.records-gather); what arrives meanwhile commits in
 * the same transaction.
 */
class RecordsLaneShutdownTest extends HubTest {

    @Autowired
    PlatformTransactionManager tm;
    @Autowired
    ScimflowProperties props;

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "PT0.05S"})
    void everyQueuedRecordIsCommittedBeforeStopReturns(Duration gather) {
        GroupCommit lane = new GroupCommit(tm, 1, gather);
        AuditWriter writer = new AuditWriter(jdbc, new AuditRecordCodec(mapper), props, lane);
        lane.start();
        String marker = "lane-stop-" + System.nanoTime();
        int n = 3000;
        for (int i = 0; i < n; i++) {
            writer.appendLater(read(marker));
        }
        int queuedAtStop = lane.waiting();

        lane.stop();
        auditLinked();

        assertThat(queuedAtStop).as("records still queued when stop was called").isPositive();
        assertThat(jdbc.queryForObject("select count(*) from audit_event where correlation_id = ?", Long.class, marker))
                .isEqualTo(n);
    }

    @Test
    void recordsArrivingWhileTheLaneGathersCommitInOneTransaction() {
        GroupCommit lane = startedLane(Duration.ofSeconds(2));
        AuditWriter writer = writer(lane);
        String marker = "lane-gather-" + System.nanoTime();
        try {
            writer.appendLater(read(marker));
            // The worker has taken the first record off the queue: the rest arrive after that.
            await().atMost(Duration.ofSeconds(5)).until(() -> lane.waiting() == 0);
            for (int i = 0; i < 4; i++) {
                writer.appendLater(read(marker));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> count(marker) == 5);
        } finally {
            lane.stop();
        }

        // Rows written by one transaction share its xmin: without gathering, the first record commits on
        // its own before the others are queued.
        assertThat(jdbc.queryForObject("select count(distinct xmin::text) from audit_event where correlation_id = ?",
                Long.class, marker)).as("transactions that wrote the five records").isEqualTo(1);
    }

    /** A record the database refuses fails alone; the records it was batched with still commit. */
    @Test
    void oneRefusedRecordDoesNotTakeItsBatchWithIt() {
        GroupCommit lane = startedLane(Duration.ofSeconds(2));
        AuditWriter writer = writer(lane);
        String marker = "lane-poison-" + System.nanoTime();
        try {
            java.util.concurrent.CompletableFuture<Void> poison = lane.submitAtCommit(() -> {
                throw new IllegalStateException("refused");
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> lane.waiting() == 0);
            for (int i = 0; i < 3; i++) {
                writer.appendLater(read(marker));
            }
            await().atMost(Duration.ofSeconds(10)).until(poison::isDone);
            assertThat(poison).isCompletedExceptionally();
            await().atMost(Duration.ofSeconds(10)).until(() -> count(marker) == 3);
        } finally {
            lane.stop();
        }
        assertThat(count(marker)).isEqualTo(3);
    }

    /** A records lane of one worker that gathers {@code gather} after each batch's first record. */
    private GroupCommit startedLane(Duration gather) {
        GroupCommit lane = new GroupCommit(tm, 1, gather);
        lane.start();
        return lane;
    }

    private AuditWriter writer(GroupCommit lane) {
        return new AuditWriter(jdbc, new AuditRecordCodec(mapper), props, lane);
    }

    private long count(String marker) {
        return jdbc.queryForObject("select count(*) from audit_event where correlation_id = ?", Long.class, marker);
    }

    private static AuditEvent read(String marker) {
        return AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                .eventTime(Instant.now()).correlationId(marker).channel("scim-in").action("scim.user.read")
                .outcome("success").actorType("client").actorId("lane-test").build();
    }
}
