package org.scimflow.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.scimflow.support.HubTest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Log events are counted per level ({@code logback.events}) by an appender, and no logback turbo filter is
 * installed: a turbo filter runs on every logging call, enabled or not (docs/decisions/0013).
 */
class LogEventMetricsTest extends HubTest {

    private static final Logger log = LoggerFactory.getLogger("org.scimflow.test.log-event-metrics");

    @Autowired
    MeterRegistry registry;

    @Test
    void loggedEventsAreCountedByLevel() {
        double warnBefore = count("warn");
        double errorBefore = count("error");
        double traceBefore = count("trace");

        log.warn("counted warning");
        log.warn("another counted warning");
        log.error("counted error");
        log.trace("not logged at this level, so not counted");

        assertThat(count("warn") - warnBefore).isEqualTo(2.0);
        assertThat(count("error") - errorBefore).isEqualTo(1.0);
        assertThat(count("trace") - traceBefore).isZero();
    }

    @Test
    void noTurboFilterSeesEveryLoggingCall() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getTurboFilterList()).isEmpty();
    }

    private double count(String level) {
        var counter = registry.find("logback.events").tag("level", level).counter();
        return counter == null ? 0 : counter.count();
    }
}
