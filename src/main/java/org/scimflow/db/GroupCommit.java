package org.scimflow.db;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs audited write transactions in batches that commit together.
 *
 * <p>A few workers ({@code scimflow.db.group-commit-workers}) each run a batch at a time on their own
 * connection, so one batch's work overlaps another's commit; audit appends wait for the end of their
 * batch ({@link #beforeCommit}) and go in together at its end ({@link #batchEnd}), the last statement
 * carrying the batch's COMMIT ({@link #mayCommitWithLastStatement}).
 *
 * <p>Run one by one, writes would each wait for a disk flush of their own (and, before the audit inbox
 * of docs/decisions/0015, queued on the chain head's lock until then). Here a single worker takes
 * whatever writes are waiting, runs each inside its own savepoint of one transaction, and commits once.
 * A write that fails rolls back to its savepoint and gets its own error; the others are
 * unaffected. No caller is answered before the commit that holds its change and its audit record.
 *
 * <p>Audit records of calls that changed nothing (reads, rejected calls; {@link #executeAtCommit}) have a
 * lane of their own with one worker: while it commits one batch, the next gathers. Shared with the
 * write workers, they were spread over all of them in batches of one or two, each paying for an append
 * statement and a disk flush.
 * After a batch's first record the worker also waits {@code scimflow.db.records-gather} (20 ms) for
 * more; only the rare caller of {@link #executeAtCommit} outside a transaction (a retention purge's
 * record) waits that much longer for its commit.
 */
@Component
public class GroupCommit implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    private static final int MAX_BATCH = 128;
    private static final int RECORDS_CAPACITY = 20_000;
    /** Work deferred to the end of the current task's batch, while a worker runs that task. */
    private static final ThreadLocal<List<Runnable>> DEFERRED = new ThreadLocal<>();
    /** While a worker runs a batch's deferred work: buffers that deferred work fills, flushed after it. */
    private static final ThreadLocal<java.util.Map<Object, Runnable>> BATCH_END = new ThreadLocal<>();
    /** Set while the last batch-end buffer runs and it may end the transaction (see {@link #mayCommitWithLastStatement}). */
    private static final ThreadLocal<Boolean> ENDS_TRANSACTION = new ThreadLocal<>();

    private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
    /**
     * Tasks that only append audit records ({@link #executeAtCommit}, {@link #submitAtCommit}), for the
     * records worker. Bounded: when the worker falls this far behind, submitters wait (back-pressure)
     * instead of the heap growing.
     */
    private final BlockingQueue<Task<?>> records = new LinkedBlockingQueue<>(RECORDS_CAPACITY);
    private final TransactionTemplate outer;
    private final TransactionTemplate savepoint;
    private volatile boolean running;
    private final List<Thread> workers = new ArrayList<>();
    private final int workerCount;
    /** How long the records worker gathers after a batch's first record (nanoseconds; 0 = take what waits). */
    private final long recordsGatherNanos;

    public GroupCommit(PlatformTransactionManager tm,
                       @org.springframework.beans.factory.annotation.Value("${scimflow.db.group-commit-workers:3}") int workers,
                       @org.springframework.beans.factory.annotation.Value("${scimflow.db.records-gather:20ms}")
                       java.time.Duration recordsGather) {
        this.workerCount = Math.max(1, workers);
        this.recordsGatherNanos = Math.max(0, recordsGather.toNanos());
        this.outer = new TransactionTemplate(tm);
        this.savepoint = new TransactionTemplate(tm);
        this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /**
     * Runs {@code action} in the current transaction just before it commits, after every other write of
     * the batch did its work; outside a batch it runs at once. Used for audit appends, so the chain head
     * is locked only for the appends and the commit. If the write fails, its deferred actions are dropped
     * with it.
     */
    public static void beforeCommit(Runnable action) {
        List<Runnable> deferred = DEFERRED.get();
        if (deferred == null) {
            action.run();
        } else {
            deferred.add(action);
        }
    }

    /**
     * The buffer registered under {@code key} for the end of the current batch, created on first use and
     * run (flushed) once, in the batch's transaction, after every deferred action of the batch; {@code null}
     * when not called from a deferred action (the caller then does its work at once). Audit appends use it
     * to write a whole batch's records in one statement.
     */
    public static <B extends Runnable> B batchEnd(Object key, java.util.function.Supplier<B> create) {
        java.util.Map<Object, Runnable> buffers = BATCH_END.get();
        if (buffers == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        B buffer = (B) buffers.computeIfAbsent(key, k -> create.get());
        return buffer;
    }

    /**
     * Whether the calling batch-end buffer (see {@link #batchEnd}) is the last work of its batch's
     * transaction, which nothing has marked rollback-only: its last statement may then end with
     * {@code COMMIT}, sent in the same round trip, instead of the worker's commit costing one of its own.
     * The worker commits right after the buffer anyway and the driver then finds nothing left to commit;
     * if that statement fails, the batch fails as it does when its commit fails. Audit records use it
     * (docs/decisions/0017).
     */
    public static boolean mayCommitWithLastStatement() {
        return Boolean.TRUE.equals(ENDS_TRANSACTION.get());
    }

    /**
     * Runs {@code work} in a transaction and returns once it committed. Runtime exceptions thrown by
     * {@code work} come back to the caller as they were; the work's changes are then rolled back.
     */
    public <T> T execute(TransactionCallback<T> work) {
        return execute(work, true);
    }

    /**
     * Runs {@code action} at the end of a batch, in its transaction (see {@link #beforeCommit}), and returns
     * once it committed. For work that has nothing to do before that (an audit record of a read): it needs
     * no savepoint of its own, which saves two round trips per call. If {@code action} fails, the batch's
     * transaction fails with it, as any failure at the end of a batch does.
     */
    public void executeAtCommit(Runnable action) {
        execute(atCommit(action), false);
    }

    /**
     * As {@link #executeAtCommit}, without waiting for the commit: the returned future completes when it
     * committed (or failed). For audit records of calls that changed nothing, whose caller has nothing to
     * wait for; the workers drain the queue before {@link #stop} returns, so they are durable before the
     * process acknowledges shutdown. Waits only when the records worker is {@value #RECORDS_CAPACITY} tasks
     * behind.
     */
    public CompletableFuture<Void> submitAtCommit(Runnable action) {
        return submit(atCommit(action), false);
    }

    private static TransactionCallback<Void> atCommit(Runnable action) {
        return status -> {
            beforeCommit(action);
            return null;
        };
    }

    private <T> T execute(TransactionCallback<T> work, boolean ownSavepoint) {
        try {
            return submit(work, ownSavepoint).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for commit", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Queues {@code work} for a worker: writes (own savepoint) for the write workers, audit-only work for the
     * records worker. Inside a transaction, or before start and after stop (tests, shutdown stragglers), it
     * runs at once instead, and its exceptions reach the caller directly.
     */
    private <T> CompletableFuture<T> submit(TransactionCallback<T> work, boolean ownSavepoint) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return CompletableFuture.completedFuture(work.doInTransaction(null));
        }
        if (!running) {
            return CompletableFuture.completedFuture(outer.execute(work));
        }
        Task<T> task = new Task<>(work, ownSavepoint);
        try {
            (ownSavepoint ? queue : records).put(task);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while queueing for commit", e);
        }
        return task.result;
    }

    private void loop(BlockingQueue<Task<?>> queue, long gatherNanos) {
        List<Task<?>> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Task<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                gather(queue, batch, gatherNanos);
                runBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (RuntimeException | Error e) {
                log.error("Group commit batch failed", e);
                batch.forEach(t -> t.result.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Waits {@code nanos} after a batch's first task, then takes what queued meanwhile (up to a full
     * batch). Only the records lane gathers: hardly anyone waits for its records (see the class comment),
     * and each of its batches costs a transaction, a call and a disk flush however few records it carries
     * (docs/decisions/0006). It sleeps rather than waking for every arrival, which would cost a thread
     * switch per record.
     */
    private void gather(BlockingQueue<Task<?>> queue, List<Task<?>> batch, long nanos) {
        if (nanos <= 0 || batch.size() >= MAX_BATCH || !running) {
            return;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(nanos);
        queue.drainTo(batch, MAX_BATCH - batch.size());
    }

    private void runBatch(List<Task<?>> batch) {
        try {
            outer.executeWithoutResult(status -> {
                for (Task<?> t : batch) {
                    t.run(savepoint);
                }
                // Writes that succeeded now append their audit records, in order, then all commit.
                runDeferred(batch, () -> !status.isRollbackOnly());
            });
        } catch (RuntimeException commitFailed) {
            if (batch.size() > 1 && batch.stream().noneMatch(t -> t.ownSavepoint)) {
                // Records of calls that changed nothing: one record the database refuses must not take the
                // others with it. Each goes again in a transaction of its own; only the bad one fails.
                for (Task<?> t : batch) {
                    runAlone(t);
                }
            } else {
                // Nothing in the batch committed: every successful task fails with the commit's error.
                for (Task<?> t : batch) {
                    if (t.error == null && !t.lostDeadlock) {
                        t.error = commitFailed;
                    }
                }
            }
        }
        // A deadlock victim waited on another batch while holding this batch's locks. Now that this batch
        // committed and holds nothing, it runs again on its own and can only wait, not deadlock.
        for (Task<?> t : batch) {
            if (t.lostDeadlock) {
                t.lostDeadlock = false;
                runAlone(t);
                if (t.lostDeadlock) {
                    t.error = t.deadlock;
                }
            }
        }
        for (Task<?> t : batch) {
            t.complete();
        }
    }

    /** Runs one task again in a transaction of its own; its error, if any, is the one of this run. */
    private void runAlone(Task<?> t) {
        t.error = null;
        try {
            outer.executeWithoutResult(status -> {
                t.run(savepoint);
                runDeferred(List.of(t), () -> !status.isRollbackOnly());
            });
        } catch (RuntimeException failed) {
            if (t.error == null) {
                t.error = failed;
            }
        }
    }

    /**
     * The deferred work of the tasks that succeeded, in order, then the buffers it filled (see
     * {@link #batchEnd}); the last of them may commit the transaction if {@code mayCommit} says so when it
     * starts (deferred work may have marked the transaction rollback-only meanwhile).
     */
    private static void runDeferred(List<Task<?>> tasks, java.util.function.BooleanSupplier mayCommit) {
        java.util.Map<Object, Runnable> buffers = new java.util.LinkedHashMap<>();
        BATCH_END.set(buffers);
        try {
            for (Task<?> t : tasks) {
                if (t.error == null && !t.lostDeadlock) {
                    t.deferred.forEach(Runnable::run);
                }
            }
        } finally {
            BATCH_END.remove();
        }
        List<Runnable> ends = new ArrayList<>(buffers.values());
        for (int i = 0; i < ends.size(); i++) {
            if (i == ends.size() - 1 && mayCommit.getAsBoolean()) {
                ENDS_TRANSACTION.set(Boolean.TRUE);
            }
            try {
                ends.get(i).run();
            } finally {
                ENDS_TRANSACTION.remove();
            }
        }
    }

    @Override
    public void start() {
        running = true;
        for (int i = 0; i < workerCount; i++) {
            Thread t = new Thread(() -> loop(queue, 0), "group-commit-" + i);
            t.start();
            workers.add(t);
        }
        Thread t = new Thread(() -> loop(records, recordsGatherNanos), "group-commit-records");
        t.start();
        workers.add(t);
    }

    @Override
    public void stop() {
        running = false;
        for (Thread t : workers) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.clear();
    }

    /** Writes waiting for a worker (tests use it to know a batch has formed). */
    int waiting() {
        return queue.size() + records.size();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts before and stops after everything that writes (web server, Camel). */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }

    private static final class Task<T> {
        final TransactionCallback<T> work;
        final CompletableFuture<T> result = new CompletableFuture<>();
        T value;
        Throwable error;
        boolean lostDeadlock;
        RuntimeException deadlock;
        final List<Runnable> deferred = new ArrayList<>(1);
        /** False for work that only defers: it touches nothing a savepoint would need to undo. */
        final boolean ownSavepoint;

        Task(TransactionCallback<T> work, boolean ownSavepoint) {
            this.work = work;
            this.ownSavepoint = ownSavepoint;
        }

        void run(TransactionTemplate savepoint) {
            DEFERRED.set(deferred);
            deferred.clear();
            try {
                value = ownSavepoint ? savepoint.execute(work) : work.doInTransaction(null);
            } catch (org.springframework.dao.PessimisticLockingFailureException lost) {
                // Chosen as a deadlock victim against another batch: rolled back to its savepoint, it is
                // run again after this batch commits (see runBatch).
                deferred.clear();
                lostDeadlock = true;
                deadlock = lost;
            } catch (RuntimeException | Error e) {
                error = e;
                deferred.clear();
            } finally {
                DEFERRED.remove();
            }
        }

        void complete() {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        }
    }
}
