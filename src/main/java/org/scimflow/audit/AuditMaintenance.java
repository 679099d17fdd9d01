package org.scimflow.audit;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * The hub's long audit jobs run one at a time: a full verification holds a share lock on the audit log
 * for as long as it reads it, and retention's partition changes (a new month, a purge) need an exclusive
 * one. Left to meet in PostgreSQL, the partition change would wait for the verification, every audited
 * write would queue behind that waiting change until its lock timeout, and the change would fail; both
 * jobs run hourly from the same start, so they would meet every time. Here retention waits for the
 * verification to finish (or the other way round) before either touches the database.
 */
@Component
public class AuditMaintenance {

    private final ReentrantLock lock = new ReentrantLock(true);

    public <T> T exclusively(Supplier<T> job) {
        lock.lock();
        try {
            return job.get();
        } finally {
            lock.unlock();
        }
    }

    /** How many jobs wait for the one running now. */
    public int waiting() {
        return lock.getQueueLength();
    }
}
