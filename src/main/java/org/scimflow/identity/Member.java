package org.scimflow.identity;

import java.util.UUID;

/** One membership: the member's id, its type (User or Group) and a display name resolved at read time. */
public record Member(UUID id, String type, String display) { }
