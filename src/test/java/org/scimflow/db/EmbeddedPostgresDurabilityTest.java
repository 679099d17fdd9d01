package org.scimflow.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The embedded database is where the hub's data and audit records live: an acknowledged commit must be
 * on disk. The server the hub started reports the settings it runs with.
 */
class EmbeddedPostgresDurabilityTest extends HubTest {

    @Autowired
    ScimflowProperties properties;

    @Test
    void theEmbeddedServerFlushesEveryCommitToDisk() {
        assertThat(jdbc.queryForObject("show fsync", String.class)).isEqualTo("on");
        assertThat(jdbc.queryForObject("show synchronous_commit", String.class)).isEqualTo("on");
        assertThat(jdbc.queryForObject("show full_page_writes", String.class)).isEqualTo("on");
    }

    @Test
    void theServerRunsWithTheConfiguredSettings() {
        Map<String, String> configured = properties.getEmbeddedPostgres().getSettings();
        assertThat(configured).isNotEmpty();
        configured.forEach((name, value) -> assertThat(
                jdbc.queryForObject("show " + name.replace('-', '_'), String.class)).as(name).isEqualTo(value));
    }

    @Test
    void theBufferPoolIsAQuarterOfTheMachineBetweenPostgresDefaultAndOneGigabyte() {
        long gb = 1024L * 1024 * 1024;
        assertThat(EmbeddedPostgresConfiguration.defaultSharedBuffers(gb / 4)).isEqualTo("128MB");
        assertThat(EmbeddedPostgresConfiguration.defaultSharedBuffers(gb)).isEqualTo("256MB");
        assertThat(EmbeddedPostgresConfiguration.defaultSharedBuffers(2 * gb)).isEqualTo("512MB");
        assertThat(EmbeddedPostgresConfiguration.defaultSharedBuffers(3 * gb)).isEqualTo("768MB");
        assertThat(EmbeddedPostgresConfiguration.defaultSharedBuffers(4 * gb)).isEqualTo("1024MB");
        assertThat(EmbeddedPostgresConfiguration.defaultSharedBuffers(64 * gb)).isEqualTo("1024MB");
        assertThat(EmbeddedPostgresConfiguration.serverSettings(Map.of(), 8 * gb))
                .containsEntry("shared_buffers", "1024MB");
        assertThat(EmbeddedPostgresConfiguration.serverSettings(Map.of("shared-buffers", "256MB"), 8 * gb))
                .containsEntry("shared_buffers", "256MB");
    }

    /** The hub's tests configure no buffer pool: the server runs with the one sized to this machine. */
    @Test
    void theServerRunsWithTheBufferPoolSizedToTheMachine() {
        String expected = EmbeddedPostgresConfiguration.defaultSharedBuffers(
                EmbeddedPostgresConfiguration.machineMemoryBytes());
        long expectedBytes = Long.parseLong(expected.replace("MB", "")) * 1024 * 1024;
        assertThat(jdbc.queryForObject("select setting::bigint * current_setting('block_size')::bigint "
                + "from pg_settings where name = 'shared_buffers'", Long.class)).isEqualTo(expectedBytes);
    }

    @Test
    void aSettingThatWouldLoseAcknowledgedWritesIsRefused() {
        for (String name : new String[] {"fsync", "synchronous_commit", "synchronous-commit", "full_page_writes"}) {
            assertThatThrownBy(() -> EmbeddedPostgresConfiguration.serverSettings(Map.of(name, "off")))
                    .as(name).isInstanceOf(IllegalStateException.class).hasMessageContaining("must stay on");
        }
        assertThatThrownBy(() -> EmbeddedPostgresConfiguration.serverSettings(Map.of("work_mem; drop", "1MB")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void settingsAreNamedAsInPostgresqlConfAndDurabilityAlwaysFollows() {
        Map<String, String> configured = new LinkedHashMap<>();
        configured.put("shared-buffers", "512MB");
        configured.put("fsync", "ON");
        Map<String, String> server = EmbeddedPostgresConfiguration.serverSettings(configured);
        assertThat(server).containsEntry("shared_buffers", "512MB").doesNotContainKey("shared-buffers")
                .containsEntry("fsync", "on").containsEntry("synchronous_commit", "on")
                .containsEntry("full_page_writes", "on");
    }
}
