package org.scimflow.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/** A stored SCIM Group; its members live in {@code scim_group_member}, one row each. */
public record GroupRow(UUID id, String displayName, String externalId, ObjectNode resource, long version,
                       Instant created, Instant lastModified) { }
