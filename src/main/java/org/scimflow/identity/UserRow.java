package org.scimflow.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/** A stored SCIM User: indexed columns plus the canonical resource (without id, meta and groups). */
public record UserRow(UUID id, String userName, String externalId, String displayName, Boolean active,
                      ObjectNode resource, long version, Instant created, Instant lastModified) { }
