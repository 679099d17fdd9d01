package org.scimflow.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Two batches that insert the same two unique keys in opposite order deadlock in PostgreSQL. The
 * victim must end as a plain uniqueness conflict (what a SCIM client gets as 409), never as the
 * deadlock itself (a 500), and the first write of each key must commit.
 */
class GroupCommitDeadlockTest extends HubTest {

    @Autowired
    PlatformTransactionManager tm;

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private GroupCommit commit;

    @AfterEach
    void stop() {
        if (commit != null) {
            commit.stop();
        }
        callers.shutdownNow();
    }

    @Test
    void aDeadlockVictimEndsAsAUniquenessConflictAndTheOthersCommit() throws Exception {
        commit = new GroupCommit(tm, 2, java.time.Duration.ZERO);
        commit.start();
        String k1 = "deadlock-" + UUID.randomUUID();
        String k2 = "deadlock-" + UUID.randomUUID();
        CountDownLatch release1 = new CountDownLatch(1);
        CountDownLatch release2 = new CountDownLatch(1);
        CountDownLatch a1Done = new CountDownLatch(1);
        CountDownLatch b1Done = new CountDownLatch(1);
        CountDownLatch busy1 = new CountDownLatch(1);
        CountDownLatch busy2 = new CountDownLatch(1);

        // Occupy both workers, so the next writes queue up and form the two batches we want.
        Future<Object> blocker1 = submit(() -> { busy1.countDown(); release1.await(); return null; });
        assertThat(busy1.await(10, TimeUnit.SECONDS)).isTrue();
        Future<Object> blocker2 = submit(() -> { busy2.countDown(); release2.await(); return null; });
        assertThat(busy2.await(10, TimeUnit.SECONDS)).isTrue();

        // Batch A: k1, then (once batch B holds k2) k2. Each caller runs on a thread of its own, so a write
        // is queued before the next is submitted: otherwise the two can enter the queue in either order,
        // and a batch that runs a2 before a1 (or b2 before b1) waits on a latch nobody can release.
        Future<Object> a1 = submit(() -> { insert(k1, 1); a1Done.countDown(); return null; });
        awaitQueued(1);
        // Bounded: if b1 does not run, nothing else ends this wait (PostgreSQL cannot see a Java latch),
        // and the test should fail rather than hang.
        Future<Object> a2 = submit(() -> {
            if (!b1Done.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("b1 never inserted k2");
            }
            insert(k2, 1);
            return null;
        });
        awaitQueued(2);
        release1.countDown();
        assertThat(a1Done.await(10, TimeUnit.SECONDS)).isTrue();

        // Batch B: k2, then k1 — the opposite order.
        Future<Object> b1 = submit(() -> { insert(k2, 2); b1Done.countDown(); return null; });
        awaitQueued(1);
        Future<Object> b2 = submit(() -> { insert(k1, 2); return null; });
        awaitQueued(2);
        release2.countDown();

        blocker1.get(30, TimeUnit.SECONDS);
        blocker2.get(30, TimeUnit.SECONDS);
        a1.get(30, TimeUnit.SECONDS);
        b1.get(30, TimeUnit.SECONDS);
        List<Throwable> failures = new ArrayList<>();
        for (Future<Object> f : List.of(a2, b2)) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause());
            }
        }
        // a2 repeats b1's key and b2 repeats a1's: both are conflicts with committed rows, whichever of
        // them PostgreSQL picked as the deadlock victim.
        assertThat(failures).hasSize(2).allSatisfy(f -> assertThat(f).isInstanceOf(DuplicateKeyException.class));
        assertThat(jdbc.queryForObject("select count(*) from scim_user where user_name_lc in (?, ?)", Long.class, k1, k2))
                .isEqualTo(2);
    }

    /** Until {@code n} writes wait in the queue, so the next free worker takes them as one batch. */
    private void awaitQueued(int n) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> commit.waiting() == n);
    }

    private interface Work {
        Object run() throws Exception;
    }

    private Future<Object> submit(Work work) {
        return callers.submit(() -> commit.execute(status -> {
            try {
                return work.run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }));
    }

    /** Inserts a user; {@code slot} keeps the two batches on different stripes of the row counter. */
    private void insert(String name, int slot) {
        jdbc.queryForObject("select set_config('scimflow.count_slot', ?, true)", String.class, String.valueOf(slot));
        jdbc.update("insert into scim_user (id, user_name, user_name_lc, active, resource, version, created, last_modified) "
                + "values (?, ?, ?, true, '{}'::jsonb, 1, now(), now())", UUID.randomUUID(), name, name);
    }
}
