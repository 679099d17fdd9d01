package org.scimflow.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * The {@code logback.events} counters (tag {@code level}) that Spring Boot's logback metrics kept, counted
 * by an appender on the root logger instead of a turbo filter.
 *
 * <p>Logback asks every turbo filter on every logging call, including the many {@code isTraceEnabled()}
 * checks Camel, Spring and Tomcat make per request, before it looks at the level: with Micrometer's filter
 * installed that was about 5% of the hub's CPU on a lookup (docs/decisions/0013). An appender sees only
 * the events that are logged, which are the ones counted. Events of loggers that do not pass their events
 * on to the root logger (additivity off) are not counted; none are configured so.
 */
@Component
public class LogEventMetrics implements InitializingBean, DisposableBean {

    static final String APPENDER_NAME = "scimflow-log-event-metrics";

    private final MeterRegistry registry;
    private Counting appender;

    public LogEventMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void afterPropertiesSet() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        appender = new Counting(registry);
        appender.setName(APPENDER_NAME);
        appender.setContext(context);
        appender.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }

    @Override
    public void destroy() {
        if (appender != null) {
            ((LoggerContext) appender.getContext()).getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
            appender.stop();
        }
    }

    private static final class Counting extends UnsynchronizedAppenderBase<ILoggingEvent> {
        private final Counter error;
        private final Counter warn;
        private final Counter info;
        private final Counter debug;
        private final Counter trace;

        Counting(MeterRegistry registry) {
            error = counter(registry, "error");
            warn = counter(registry, "warn");
            info = counter(registry, "info");
            debug = counter(registry, "debug");
            trace = counter(registry, "trace");
        }

        private static Counter counter(MeterRegistry registry, String level) {
            return Counter.builder("logback.events").tag("level", level)
                    .description("Number of log events that were enabled by the effective log level")
                    .baseUnit("events").register(registry);
        }

        @Override
        protected void append(ILoggingEvent event) {
            switch (event.getLevel().toInt()) {
                case Level.ERROR_INT -> error.increment();
                case Level.WARN_INT -> warn.increment();
                case Level.INFO_INT -> info.increment();
                case Level.DEBUG_INT -> debug.increment();
                default -> trace.increment();
            }
        }
    }
}
