package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.scimflow.audit.AuditEventFactory;
import org.scimflow.audit.AuditWriter;
import org.scimflow.audit.Changes;
import org.scimflow.audit.Redactor;
import org.scimflow.identity.GroupRepository;
import org.scimflow.identity.Member;
import org.scimflow.identity.Page;
import org.scimflow.identity.UserRepository;
import org.scimflow.identity.UserRow;
import org.scimflow.scim.filter.FilterSqlBuilder;
import org.scimflow.scim.filter.ResourceTable;
import org.scimflow.scim.filter.SortSqlBuilder;
import org.scimflow.scim.filter.SqlFilter;
import org.scimflow.scim.schema.ScimSchemas;
import org.scimflow.scim.schema.ResourceType;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.scimflow.db.GroupCommit;

/** SCIM Users (RFC 7644 §3): create, read, list, replace, patch, delete, each write audited in its transaction. */
@Service
public class UserService extends ResourceServiceSupport implements ScimResourceOperations {

    private final ResourceType resourceType;
    private final UserRepository users;
    private final GroupRepository groups;
    private final ResourceValidator validator = new ResourceValidator();
    private final PatchApplier patcher = new PatchApplier();
    private final FilterSqlBuilder filters;
    private final SortSqlBuilder sorts;
    private final Redactor redactor;
    private final ListLimits limits;

    public UserService(ScimSchemas schemas, UserRepository users, GroupRepository groups, GroupCommit tx,
                       AuditWriter audit, AuditEventFactory events, Redactor redactor, ListLimits limits,
                       TimeBasedEpochGenerator ids) {
        super(tx, audit, events, ids);
        this.resourceType = schemas.user();
        ResourceTable table = ResourceTable.users(resourceType);
        this.filters = new FilterSqlBuilder(table);
        this.sorts = new SortSqlBuilder(table);
        this.users = users;
        this.groups = groups;
        this.redactor = redactor;
        this.limits = limits;
    }

    public ResourceType resourceType() {
        return resourceType;
    }

    public ScimResult create(ScimCall call, JsonNode body) throws ScimException {
        ResourceValidator.Normalized n = validator.normalize(resourceType, body);
        return inTransaction(() -> {
            Instant now = now();
            UserRow row = row(newId(), n.resource(), 1, now, now);
            try {
                users.insert(row);
            } catch (DuplicateKeyException e) {
                throw ScimErrors.uniqueness("userName '" + row.userName() + "' is already taken");
            }
            recordWrite(call.ctx(), "scim.user.create", "User", row.id(), row.userName(), row.externalId(),
                    Changes.diff(null, row.resource(), n.writeOnlySet(), redactor), 201);
            String location = call.location(resourceType.endpoint(), row.id());
            return ScimResult.created(call.projection().apply(render(row, List.of(), call), resourceType), location,
                    Versions.etag(row.version()));
        });
    }

    public ScimResult get(ScimCall call, String id) throws ScimException {
        UserRow row = users.find(parseId(id, "User")).orElseThrow(() -> ScimErrors.notFound("User " + id + " not found"));
        if (Versions.matches(call.ifNoneMatch(), row.version())) {
            return ScimResult.notModified(Versions.etag(row.version()));
        }
        List<Member> memberOf = call.projection().wants("groups") ? groups.groupsOf(row.id()) : List.of();
        return ScimResult.ok(call.projection().apply(render(row, memberOf, call), resourceType),
                Versions.etag(row.version()));
    }

    public ScimResult list(ScimCall call, ListRequest req) throws ScimException {
        SqlFilter where = filters.build(req.filter());
        limits.checkScan(where, users::estimatedRows);
        limits.checkSort(req.sortBy(), sorts.indexed(req.sortBy()), where, users::estimatedRows);
        String orderBy = sorts.orderBy(req.sortBy(), req.descending());
        Page<UserRow> page = users.search(where, orderBy, req.startIndex() - 1, req.count());
        java.util.Map<UUID, List<Member>> groupsById = call.projection().wants("groups")
                ? groups.groupsOf(page.items().stream().map(UserRow::id).toList()) : java.util.Map.of();
        List<ObjectNode> out = new ArrayList<>(page.items().size());
        for (UserRow row : page.items()) {
            List<Member> memberOf = groupsById.getOrDefault(row.id(), List.of());
            out.add(call.projection().apply(render(row, memberOf, call), resourceType));
        }
        return ScimResult.ok(listResponse(out, page.total(), req.startIndex()), null);
    }

    public ScimResult replace(ScimCall call, String id, JsonNode body) throws ScimException {
        UUID uuid = parseId(id, "User");
        ResourceValidator.Normalized n = validator.normalize(resourceType, body);
        return inTransaction(() -> {
            UserRow old = users.findForUpdate(uuid).orElseThrow(() -> ScimErrors.notFound("User " + id + " not found"));
            Versions.checkIfMatch(call.ifMatch(), old.version());
            return save(call, old, n.resource(), n.writeOnlySet(), "scim.user.replace");
        });
    }

    public ScimResult patch(ScimCall call, String id, JsonNode body) throws ScimException {
        UUID uuid = parseId(id, "User");
        return inTransaction(() -> {
            UserRow old = users.findForUpdate(uuid).orElseThrow(() -> ScimErrors.notFound("User " + id + " not found"));
            Versions.checkIfMatch(call.ifMatch(), old.version());
            PatchApplier.Patched patched = patcher.apply(resourceType, old.resource(), body);
            ResourceValidator.Normalized n = validator.normalize(resourceType, patched.resource());
            return save(call, old, n.resource(), patched.writeOnlySet(), "scim.user.patch");
        });
    }

    public ScimResult delete(ScimCall call, String id) throws ScimException {
        UUID uuid = parseId(id, "User");
        return inTransaction(() -> {
            UserRow old = users.findForUpdate(uuid).orElseThrow(() -> ScimErrors.notFound("User " + id + " not found"));
            Versions.checkIfMatch(call.ifMatch(), old.version());
            List<UUID> affected = groups.removeFromAllGroups(uuid, now());
            users.delete(uuid);
            ArrayNode changes = Changes.diff(old.resource(), null, Set.of(), redactor);
            Changes.addMembership(changes, "groups", List.of(), affected.stream().map(UUID::toString).toList());
            recordWrite(call.ctx(), "scim.user.delete", "User", uuid, old.userName(), old.externalId(), changes, 204);
            return ScimResult.noContent();
        });
    }

    private ScimResult save(ScimCall call, UserRow old, ObjectNode resource, Set<String> writeOnly, String action)
            throws ScimException {
        boolean changed = !resource.equals(old.resource());
        UserRow row = old;
        if (changed) {
            row = row(old.id(), resource, old.version() + 1, old.created(), now());
            if (!row.userName().equalsIgnoreCase(old.userName())) {
                ensureUnique(row.userName(), old.id());
            }
            try {
                users.update(row);
            } catch (DuplicateKeyException e) {
                throw ScimErrors.uniqueness("userName '" + row.userName() + "' is already taken");
            }
        }
        recordWrite(call.ctx(), action, "User", row.id(), row.userName(), row.externalId(),
                Changes.diff(old.resource(), resource, writeOnly, redactor), 200);
        List<Member> memberOf = call.projection().wants("groups") ? groups.groupsOf(row.id()) : List.of();
        return ScimResult.ok(call.projection().apply(render(row, memberOf, call), resourceType),
                Versions.etag(row.version()));
    }

    private void ensureUnique(String userName, UUID self) throws ScimException {
        var holder = users.idByUserName(userName);
        if (holder.isPresent() && !holder.get().equals(self)) {
            throw ScimErrors.uniqueness("userName '" + userName + "' is already taken");
        }
    }

    private static UserRow row(UUID id, ObjectNode resource, long version, Instant created, Instant modified) {
        JsonNode active = resource.get("active");
        return new UserRow(id, resource.path("userName").asText(), text(resource, "externalId"),
                text(resource, "displayName"), active == null ? null : active.asBoolean(), resource, version, created,
                modified);
    }

    private static String text(ObjectNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    ObjectNode render(UserRow row, List<Member> memberOf, ScimCall call) {
        ObjectNode out = head(resourceType, row.resource(), row.id());
        if (!memberOf.isEmpty()) {
            ArrayNode arr = out.putArray("groups");
            for (Member g : memberOf) {
                ObjectNode m = arr.addObject();
                m.put("value", g.id().toString());
                m.put("$ref", call.location("/Groups", g.id()));
                if (g.display() != null) {
                    m.put("display", g.display());
                }
                m.put("type", g.type());
            }
        }
        out.set("meta", meta(resourceType, row.created(), row.lastModified(),
                call.location(resourceType.endpoint(), row.id()), row.version()));
        return out;
    }
}
