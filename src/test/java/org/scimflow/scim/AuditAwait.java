package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.springframework.jdbc.core.JdbcTemplate;

/** Waits (at most a second, the real-time promise) for the audit row of one exchange. */
public final class AuditAwait {

    private AuditAwait() { }

    public static Map<String, Object> record(JdbcTemplate jdbc, String correlationId, Consumer<Map<String, Object>> check) {
        assertThat(correlationId).as("X-Request-Id on the response").isNotBlank();
        Map<String, Object>[] found = new Map[1];
        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            List<Map<String, Object>> rows = jdbc.queryForList(
                    "select * from audit_event where correlation_id = ? order by seq", correlationId);
            assertThat(rows).hasSize(1);
            found[0] = rows.get(0);
        });
        check.accept(found[0]);
        return found[0];
    }
}
