package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.scimflow.audit.AuditEvent;
import org.scimflow.audit.AuditEventFactory;
import org.scimflow.audit.AuditWriter;
import org.scimflow.audit.RequestContext;
import org.scimflow.scim.schema.AttributeDefinition;
import org.scimflow.scim.schema.CoreSchemas;
import org.scimflow.scim.schema.ResourceType;
import org.scimflow.db.GroupCommit;

/** What Users and Groups share: transactions that carry their audit record, meta, list responses. */
abstract class ResourceServiceSupport {

    /** A SCIM operation body that may throw checked SCIM errors. */
    @FunctionalInterface
    interface ScimWork<T> {
        T run() throws ScimException;
    }

    /** Carries a checked {@link ScimException} out of a transaction callback (which rolls back). */
    static final class Rollback extends RuntimeException {
        final ScimException scim;

        Rollback(ScimException scim) {
            super(scim.getMessage(), null, false, false);
            this.scim = scim;
        }
    }

    protected static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    protected final GroupCommit tx;
    protected final AuditWriter audit;
    protected final AuditEventFactory events;
    private final TimeBasedEpochGenerator ids;

    ResourceServiceSupport(GroupCommit tx, AuditWriter audit, AuditEventFactory events, TimeBasedEpochGenerator ids) {
        this.tx = tx;
        this.ids = ids;
        this.audit = audit;
        this.events = events;
    }

    /**
     * Runs {@code work} in one transaction (group-committed with other writes); a SCIM error rolls back
     * everything it did, including its audit row.
     */
    protected <T> T inTransaction(ScimWork<T> work) throws ScimException {
        try {
            return tx.execute(status -> {
                try {
                    return work.run();
                } catch (ScimException e) {
                    throw new Rollback(e);
                }
            });
        } catch (Rollback r) {
            throw r.scim;
        }
    }

    /** Appends the audit record of a successful write, in the write's own transaction. */
    protected void recordWrite(RequestContext ctx, String action, String subjectType, UUID id, String name,
                                     String externalId, JsonNode changes, int status) {
        audit.append(events.forRequest(ctx, action)
                .outcome(AuditEvent.Outcome.SUCCESS)
                .httpStatus(status)
                .subjectType(subjectType)
                .subjectId(id.toString())
                .subjectName(name)
                .subjectExternalId(externalId)
                .changes(changes)
                .build());
    }

    protected static ObjectNode meta(ResourceType rt, Instant created, Instant lastModified, String location,
                                     long version) {
        ObjectNode meta = NODES.objectNode();
        meta.put("resourceType", rt.name());
        meta.put("created", created.toString());
        meta.put("lastModified", lastModified.toString());
        meta.put("location", location);
        meta.put("version", Versions.etag(version));
        return meta;
    }

    /**
     * A new resource's id: a UUIDv7 (RFC 9562), time-ordered, so each insert lands at the right edge of the
     * indexes keyed by id (the resource tables', group members', the audit log's subject index) instead of
     * on a random page of each. It reveals when the resource was created, as meta.created does anyway.
     */
    protected UUID newId() {
        return ids.generate();
    }

    /** Now, at the precision the database keeps, so a resource reads back exactly as it was answered. */
    protected static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** The head of a rendered resource: schemas, id, then the stored attributes in schema order. */
    protected static ObjectNode head(ResourceType rt, ObjectNode stored, UUID id) {
        ObjectNode out = NODES.objectNode();
        out.set("schemas", stored.has("schemas") ? stored.get("schemas") : NODES.arrayNode());
        out.put("id", id.toString());
        copy(stored, out, "externalId");
        for (AttributeDefinition a : rt.schema().attributes()) {
            copy(stored, out, a.name());
        }
        for (ResourceType.Extension e : rt.extensions()) {
            JsonNode ext = stored.get(e.schema().id());
            if (ext != null && ext.isObject()) {
                ObjectNode ordered = out.putObject(e.schema().id());
                for (AttributeDefinition a : e.schema().attributes()) {
                    copy((ObjectNode) ext, ordered, a.name());
                }
            }
        }
        return out;
    }

    private static void copy(ObjectNode from, ObjectNode to, String key) {
        JsonNode v = from.get(key);
        if (v != null) {
            to.set(key, v);
        }
    }

    static ObjectNode listResponse(List<ObjectNode> resources, long total, int startIndex) {
        ObjectNode out = NODES.objectNode();
        out.putArray("schemas").add(CoreSchemas.LIST_RESPONSE);
        out.put("totalResults", total);
        out.put("startIndex", startIndex);
        out.put("itemsPerPage", resources.size());
        ArrayNode arr = out.putArray("Resources");
        resources.forEach(arr::add);
        return out;
    }

    protected static UUID parseId(String id, String type) throws ScimException {
        try {
            if (id != null && id.length() == 36) {
                return UUID.fromString(id);
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw ScimErrors.notFound(type + " " + id + " not found");
    }

    /** The stored form without attributes that live elsewhere (derived or in their own table). */
    protected static ObjectNode withoutKeys(ObjectNode n, String... keys) {
        ObjectNode copy = n.deepCopy();
        for (String k : keys) {
            copy.remove(k);
        }
        return copy;
    }
}
