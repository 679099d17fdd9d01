package org.scimflow.identity;

import java.util.List;

/** One page of a query plus the total number of matches. */
public record Page<T>(List<T> items, long total) { }
