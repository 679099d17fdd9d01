package org.scimflow.audit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.scimflow.config.ScimflowProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Links committed audit records from the inbox into the hash chain (V17 and V18, docs/decisions/0015
 * and 0016).
 *
 * <p>A write commits its audit record into {@code audit_inbox} together with the change; this sequencer
 * moves what has committed into {@code audit_event} every {@code scimflow.audit.sequencing.interval}
 * (50 ms), up to {@code scimflow.audit.sequencing.batch} (5,000) records per call, so the chain head's
 * lock, the append call and the indexes of the log are paid for once per hundreds of records instead of
 * once per handful. It starts before and stops after everything that writes, and empties the inbox at
 * both ends: records left by a crash are sequenced before the hub serves, and none is left behind at
 * shutdown.
 */
@Component
public class AuditSequencer implements SmartLifecycle, HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(AuditSequencer.class);
    /** The inbox is vacuumed after this many records moved: each leaves a dead row and index entry. */
    private static final long VACUUM_EVERY = 20_000;

    private final JdbcTemplate jdbc;
    private final boolean enabled;
    private final long intervalNanos;
    private final int batch;
    private volatile boolean running;
    private Thread thread;
    private long sinceVacuum;
    /** True from a failed sequencing call to the next one that succeeds. */
    private volatile boolean failing;

    public AuditSequencer(JdbcTemplate jdbc, ScimflowProperties props,
                          @Value("${scimflow.audit.sequencing.interval:50ms}") Duration interval,
                          @Value("${scimflow.audit.sequencing.batch:5000}") int batch) {
        this.jdbc = jdbc;
        this.enabled = props.getAudit().isEnabled();
        this.intervalNanos = Math.max(1, interval.toNanos());
        this.batch = Math.max(1, batch);
    }

    /** Moves up to one batch of committed records into the chain; returns how many. */
    int sequenceOnce() {
        Integer n = jdbc.queryForObject("select audit_sequence_inbox(?)", Integer.class, batch);
        return n == null ? 0 : n;
    }

    /** Sequences every record committed before this call; returns how many it moved. */
    public long drain() {
        if (!enabled) {
            return 0;
        }
        long total = 0;
        int n;
        do {
            n = sequenceOnce();
            total += n;
        } while (n == batch);
        return total;
    }

    private void loop() {
        while (running) {
            try {
                int n = sequenceOnce();
                failing = false;
                sinceVacuum += n;
                if (sinceVacuum >= VACUUM_EVERY) {
                    sinceVacuum = 0;
                    jdbc.execute("vacuum audit_inbox");
                }
                if (n < batch) {
                    LockSupport.parkNanos(intervalNanos);
                }
            } catch (RuntimeException e) {
                if (!failing) {
                    log.error("Audit sequencing failed; records wait in the inbox, retrying every second", e);
                }
                failing = true;
                LockSupport.parkNanos(Math.max(intervalNanos, 1_000_000_000L));
            }
        }
    }

    @Override
    public void start() {
        if (!enabled) {
            return;
        }
        long left = drain();
        if (left > 0) {
            log.info("Sequenced {} audit records left in the inbox", left);
        }
        running = true;
        thread = new Thread(this::loop, "audit-sequencer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            LockSupport.unpark(thread);
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        drain();
    }

    /** True from a failed sequencing call to the next one that succeeds. */
    public boolean isFailing() {
        return failing;
    }

    /**
     * Health component {@code auditSequencer}: SEQUENCING_FAILING (HTTP 200; writes still commit their
     * records, which wait in the inbox) while linking fails, with how many records wait.
     */
    @Override
    public Health health() {
        if (!enabled) {
            return Health.up().withDetail("audit", "off").build();
        }
        Long waiting = jdbc.queryForObject("select count(*) from audit_inbox", Long.class);
        return (failing ? Health.status("SEQUENCING_FAILING") : Health.up()).withDetail("waiting", waiting).build();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts before and stops after the group-commit workers (phase {@code Integer.MIN_VALUE + 1000}). */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 500;
    }
}
