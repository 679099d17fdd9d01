package org.scimflow.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.scimflow.support.HubTest;

/**
 * The embedded database is where the hub's data and audit records live: an acknowledged commit must be
 * on disk. The server the hub started reports the settings it runs with.
 */
class EmbeddedPostgresDurabilityTest extends HubTest {

    @Test
    void theEmbeddedServerFlushesEveryCommitToDisk() {
        assertThat(jdbc.queryForObject("show fsync", String.class)).isEqualTo("on");
        assertThat(jdbc.queryForObject("show synchronous_commit", String.class)).isEqualTo("on");
        assertThat(jdbc.queryForObject("show full_page_writes", String.class)).isEqualTo("on");
    }
}
