package org.scimflow.identity;

import java.util.UUID;

/**
 * One membership: the other side's id, its type (User or Group for a group's members; direct or indirect
 * for a resource's groups) and a display name resolved at read time.
 */
public record Member(UUID id, String type, String display) { }
