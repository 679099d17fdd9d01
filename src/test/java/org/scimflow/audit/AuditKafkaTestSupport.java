package org.scimflow.audit;

import java.time.Duration;
import java.util.stream.Collectors;

/** Kafka reading shared by tests in other packages. */
public final class AuditKafkaTestSupport {

    private AuditKafkaTestSupport() { }

    /** Every record value on the audit topic, joined by newlines. */
    public static String readAllValues(String brokers, int expectAtLeast, Duration max) {
        return AuditKafkaTest.readTopic(brokers, expectAtLeast, max).values().stream()
                .map(r -> r.key() + " " + r.value()).collect(Collectors.joining("\n"));
    }
}
