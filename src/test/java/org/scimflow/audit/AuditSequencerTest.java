package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.uuid.Generators;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.scimflow.config.ScimflowProperties;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records reach the log through the inbox: whatever commits while sequencers move batches is linked once,
 * in a gap-free chain, each writer's records in the order it wrote them.
 */
class AuditSequencerTest extends HubTest {

    @Autowired
    AuditWriter writer;
    @Autowired
    AuditVerifier verifier;
    @Autowired
    ScimflowProperties props;
    @Autowired
    PlatformTransactionManager tm;
    @Autowired
    @Qualifier("ownerDataSource")
    DataSource owner;

    /**
     * Records that queued up behind a blocked write go into the inbox as one batch, in statements of at most
     * {@link AuditWriter#ROWS_PER_STATEMENT} rows: every one arrives, once, in the order it was appended.
     */
    @Test
    void aBatchLargerThanOneStatementArrivesWholeAndInOrder() throws Exception {
        int n = 3 * AuditWriter.ROWS_PER_STATEMENT + 5;
        String marker = "large-batch-" + System.nanoTime();
        List<java.util.UUID> appended = new ArrayList<>();
        try (var con = owner.getConnection()) {
            con.setAutoCommit(false);
            // Inserts wait for this lock: the records lane's first batch blocks, the rest queue behind it.
            con.createStatement().execute("lock table audit_inbox in share mode");
            for (int i = 0; i < n; i++) {
                AuditEvent e = AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                        .eventTime(Instant.now()).correlationId(marker).channel("system").action("test.large-batch")
                        .outcome("success").actorType("system").durationMs(i).build();
                appended.add(e.eventId());
                writer.appendLater(e);
            }
            // The records lane's insert is waiting on the lock, so everything appended after it queues.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                    "select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                            + "and query like 'insert into audit_inbox%'", Long.class) > 0);
            con.rollback();
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            auditLinked();
            return jdbc.queryForObject("select count(*) from audit_event where correlation_id = ?", Long.class,
                    marker) >= n;
        });
        assertThat(jdbc.queryForList("select event_id from audit_event where correlation_id = ? order by seq",
                java.util.UUID.class, marker)).containsExactlyElementsOf(appended);
        java.util.Map<String, Object> range = jdbc.queryForMap(
                "select min(seq) first, max(seq) last from audit_event where correlation_id = ?", marker);
        long first = (Long) range.get("first");
        long last = (Long) range.get("last");
        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(first, last, List.of(), null));
        assertThat(r.findings()).isEmpty();
        assertThat(r.checked()).isEqualTo(last - first + 1).isGreaterThanOrEqualTo(n);
    }

    /**
     * Writers commit in an order other than the one their inbox ids were handed out in (each holds its
     * transaction open until every writer has inserted its record of the round), while a sequencer with batches of 7 runs without pause
     * next to the hub's own. A record committed during a move must wait for the next one, not vanish with
     * the rows the move deletes, nor go in twice.
     */
    @Test
    void recordsCommittedWhileBatchesMoveAreLinkedOnceEachInOrder() throws Exception {
        AuditSequencer small = new AuditSequencer(jdbc, props, Duration.ofMillis(1), 7);
        auditLinked();
        long before = jdbc.queryForObject("select seq from audit_chain_head", Long.class);
        String marker = "sequencer-race-" + System.nanoTime();
        int writers = 6;
        int each = 120;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        AtomicBoolean writing = new AtomicBoolean(true);
        Future<Long> mover = pool.submit(() -> {
            long moved = 0;
            while (writing.get()) {
                moved += small.drain();
            }
            return moved;
        });
        TransactionTemplate tx = new TransactionTemplate(tm);
        CyclicBarrier allInserted = new CyclicBarrier(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writerNo = w;
            done.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    int n = i;
                    tx.executeWithoutResult(s -> {
                        writer.append(AuditEvent.builder().eventId(Generators.timeBasedEpochGenerator().generate())
                                .eventTime(Instant.now()).correlationId(marker).channel("system").action("test.race")
                                .outcome("success").actorType("system").actorId("writer-" + writerNo)
                                .subjectName(String.valueOf(n)).build());
                        awaitOthers(allInserted);
                    });
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        writing.set(false);
        assertThat(mover.get(60, TimeUnit.SECONDS)).as("records the small sequencer moved").isPositive();
        pool.shutdown();
        auditLinked();

        assertThat(jdbc.queryForObject("select count(*) from audit_inbox", Long.class)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from audit_event where correlation_id = ?", Long.class, marker))
                .isEqualTo((long) writers * each);
        assertThat(jdbc.queryForObject("select count(distinct event_id) from audit_event where correlation_id = ?",
                Long.class, marker)).isEqualTo((long) writers * each);
        long head = jdbc.queryForObject("select seq from audit_chain_head", Long.class);
        assertThat(jdbc.queryForObject("select count(*) from audit_event where seq > ? and seq <= ?", Long.class,
                before, head)).as("gap-free").isEqualTo(head - before);
        for (int w = 0; w < writers; w++) {
            List<Integer> order = jdbc.queryForList("select subject_name::int from audit_event where correlation_id = ? "
                    + "and actor_id = ? order by seq", Integer.class, marker, "writer-" + w);
            assertThat(order).as("writer %d's records in the order it wrote them", w).isSorted().hasSize(each);
        }
        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(before + 1, head, List.of(), null));
        assertThat(r.findings()).isEmpty();
        assertThat(r.checked()).isEqualTo(head - before);
    }

    /**
     * While records cannot be linked, writes still commit them to the inbox and are answered; health says
     * SEQUENCING_FAILING (HTTP 200); once linking works again, the records reach the log.
     */
    @Test
    void whileLinkingFailsWritesGoOnAndHealthSaysSo() {
        JdbcTemplate asOwner = new JdbcTemplate(owner);
        String role = jdbc.queryForObject("select current_user", String.class);
        auditLinked();
        asOwner.execute("revoke execute on function audit_sequence_inbox(integer) from " + role);
        String correlation;
        try {
            Api.Response created = api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("unlinked")));
            assertThat(created.status()).isEqualTo(201);
            correlation = created.header("X-Request-Id");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(auditSequencer::isFailing);
            Api.Response health = api.withToken(null).get("/actuator/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().get("status").asText()).isEqualTo("SEQUENCING_FAILING");
            assertThat(jdbc.queryForObject("select count(*) from audit_inbox where correlation_id = ?",
                    Long.class, correlation)).isEqualTo(1);
        } finally {
            asOwner.execute("grant execute on function audit_sequence_inbox(integer) to " + role);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !auditSequencer.isFailing());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForObject(
                "select count(*) from audit_event where correlation_id = ? and action = 'scim.user.create'",
                Long.class, correlation) == 1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                "UP".equals(api.withToken(null).get("/actuator/health").json().get("status").asText()));
    }

    private static void awaitOthers(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("a writer did not insert its record of the round", e);
        }
    }
}
