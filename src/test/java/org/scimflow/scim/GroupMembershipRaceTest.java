package org.scimflow.scim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.scimflow.identity.GroupRepository;
import org.scimflow.identity.Member;
import org.scimflow.support.Api;
import org.scimflow.support.Fixtures;
import org.scimflow.support.HubTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deleting a user removes it from its groups, also while a group write adding it is under way: the
 * write's check that the member exists holds the user until it commits, so the delete either comes first
 * (and the write finds no such member) or waits and then removes the new membership too.
 */
class GroupMembershipRaceTest extends HubTest {

    @Autowired
    GroupRepository groups;
    @Autowired
    TransactionTemplate tx;

    @Test
    void aUserDeletedWhileAGroupWriteAddsItLeavesNoMembershipBehind() throws Exception {
        UUID user = UUID.fromString(api.post("/scim/v2/Users", Fixtures.user(Fixtures.unique("race")))
                .json().get("id").asText());
        UUID group = UUID.fromString(api.post("/scim/v2/Groups", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],"
                + "\"displayName\":\"" + Fixtures.unique("race-group") + "\"}").json().get("id").asText());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch checked = new CountDownLatch(1);
            CountDownLatch proceed = new CountDownLatch(1);
            // A group write as GroupService makes it: check the member exists, then add it, in one transaction.
            Future<Map<UUID, String>> write = pool.submit(() -> tx.execute(s -> {
                Map<UUID, String> found = groups.existingTypes(List.of(user));
                checked.countDown();
                try {
                    proceed.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                groups.addMembersReturning(group, List.of(new Member(user, "User", null)));
                return found;
            }));
            assertThat(checked.await(30, TimeUnit.SECONDS)).isTrue();

            Future<Api.Response> delete = pool.submit(() -> api.delete("/scim/v2/Users/" + user));
            // The delete waits for the write that found the user, as long as that write stays open.
            org.awaitility.Awaitility.await().during(java.time.Duration.ofSeconds(1)).atMost(java.time.Duration.ofSeconds(3))
                    .until(() -> !delete.isDone());

            proceed.countDown();
            assertThat(write.get(30, TimeUnit.SECONDS)).containsEntry(user, "User");
            assertThat(delete.get(30, TimeUnit.SECONDS).status()).isEqualTo(204);
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.queryForObject("select count(*) from scim_group_member where member_id = ?", Long.class, user))
                .as("memberships of the deleted user").isZero();
        assertThat(api.get("/scim/v2/Groups/" + group).json().path("members")).isEmpty();
    }
}
