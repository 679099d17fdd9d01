package org.scimflow.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.scimflow.audit.AuditEventFactory;
import org.scimflow.audit.AuditWriter;
import org.scimflow.audit.Changes;
import org.scimflow.audit.Redactor;
import org.scimflow.identity.GroupRepository;
import org.scimflow.identity.GroupRow;
import org.scimflow.identity.Member;
import org.scimflow.identity.Page;
import org.scimflow.scim.filter.FilterSqlBuilder;
import org.scimflow.scim.filter.ResourceTable;
import org.scimflow.scim.filter.SortSqlBuilder;
import org.scimflow.scim.schema.ScimSchemas;
import org.scimflow.scim.filter.SqlFilter;
import org.scimflow.scim.schema.ResourceType;
import org.springframework.stereotype.Service;
import org.scimflow.db.GroupCommit;

/**
 * SCIM Groups. Members are stored one row each, so membership changes touch only the rows that change;
 * {@code excludedAttributes=members} never loads them.
 */
@Service
public class GroupService extends ResourceServiceSupport implements ScimResourceOperations {

    private final ResourceType resourceType;
    private final GroupRepository groups;
    private final ResourceValidator validator = new ResourceValidator();
    private final PatchApplier patcher = new PatchApplier();
    private final FilterSqlBuilder filters;
    private final SortSqlBuilder sorts;
    private final Redactor redactor;
    private final ListLimits limits;

    public GroupService(ScimSchemas schemas, GroupRepository groups, GroupCommit tx,
                        AuditWriter audit, AuditEventFactory events, Redactor redactor, ListLimits limits,
                        TimeBasedEpochGenerator ids) {
        super(tx, audit, events, ids);
        this.resourceType = schemas.group();
        ResourceTable table = ResourceTable.groups(resourceType);
        this.filters = new FilterSqlBuilder(table);
        this.sorts = new SortSqlBuilder(table);
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
            UUID id = newId();
            Map<UUID, Member> members = resolveMembers(n.resource(), id);
            ObjectNode stored = withoutKeys(n.resource(), "members");
            GroupRow row = new GroupRow(id, stored.path("displayName").asText(), text(stored, "externalId"), stored, 1,
                    now, now);
            groups.insert(row);
            groups.addMembers(id, members.values());
            ArrayNode changes = Changes.diff(null, stored, n.writeOnlySet(), redactor);
            Changes.addMembership(changes, "members", ids(members.keySet()), List.of());
            recordWrite(call.ctx(), "scim.group.create", "Group", id, row.displayName(), row.externalId(), changes, 201);
            String location = call.location(resourceType.endpoint(), id);
            List<Member> rendered = call.projection().wants("members") ? groups.members(id) : List.of();
            return ScimResult.created(call.projection().apply(render(row, rendered, call), resourceType), location,
                    Versions.etag(row.version()));
        });
    }

    public ScimResult get(ScimCall call, String id) throws ScimException {
        GroupRow row = groups.find(parseId(id, "Group")).orElseThrow(() -> ScimErrors.notFound("Group " + id + " not found"));
        if (Versions.matches(call.ifNoneMatch(), row.version())) {
            return ScimResult.notModified(Versions.etag(row.version()));
        }
        List<Member> members = call.projection().wants("members") ? groups.members(row.id()) : List.of();
        return ScimResult.ok(call.projection().apply(render(row, members, call), resourceType),
                Versions.etag(row.version()));
    }

    public ScimResult list(ScimCall call, ListRequest req) throws ScimException {
        SqlFilter where = filters.build(req.filter());
        limits.checkScan(where, groups::estimatedRows);
        limits.checkSort(req.sortBy(), sorts.indexed(req.sortBy()), where, groups::estimatedRows);
        Page<GroupRow> page = groups.search(where, sorts.orderBy(req.sortBy(), req.descending()),
                req.startIndex() - 1, req.count());
        Map<UUID, List<Member>> membersById = call.projection().wants("members")
                ? groups.members(page.items().stream().map(GroupRow::id).toList()) : Map.of();
        List<ObjectNode> out = new ArrayList<>(page.items().size());
        for (GroupRow row : page.items()) {
            List<Member> members = membersById.getOrDefault(row.id(), List.of());
            out.add(call.projection().apply(render(row, members, call), resourceType));
        }
        return ScimResult.ok(listResponse(out, page.total(), req.startIndex()), null);
    }

    public ScimResult replace(ScimCall call, String id, JsonNode body) throws ScimException {
        UUID uuid = parseId(id, "Group");
        ResourceValidator.Normalized n = validator.normalize(resourceType, body);
        return inTransaction(() -> {
            GroupRow old = groups.findForUpdate(uuid).orElseThrow(() -> ScimErrors.notFound("Group " + id + " not found"));
            Versions.checkIfMatch(call.ifMatch(), old.version());
            return save(call, old, n.resource(), n.writeOnlySet(), "scim.group.replace");
        });
    }

    public ScimResult patch(ScimCall call, String id, JsonNode body) throws ScimException {
        UUID uuid = parseId(id, "Group");
        java.util.Optional<MemberPatch.Changes> memberOnly = MemberPatch.parse(body);
        if (memberOnly.isPresent()) {
            return patchMembers(call, uuid, memberOnly.get());
        }
        return inTransaction(() -> {
            GroupRow old = groups.findForUpdate(uuid).orElseThrow(() -> ScimErrors.notFound("Group " + id + " not found"));
            Versions.checkIfMatch(call.ifMatch(), old.version());
            ObjectNode current = old.resource().deepCopy();
            List<Member> members = groups.members(uuid);
            if (!members.isEmpty()) {
                ArrayNode arr = current.putArray("members");
                for (Member m : members) {
                    arr.addObject().put("value", m.id().toString()).put("type", m.type());
                }
            }
            PatchApplier.Patched patched = patcher.apply(resourceType, current, body);
            ResourceValidator.Normalized n = validator.normalize(resourceType, patched.resource());
            return save(call, old, n.resource(), patched.writeOnlySet(), "scim.group.patch");
        });
    }

    public ScimResult delete(ScimCall call, String id) throws ScimException {
        UUID uuid = parseId(id, "Group");
        return inTransaction(() -> {
            GroupRow old = groups.findForUpdate(uuid).orElseThrow(() -> ScimErrors.notFound("Group " + id + " not found"));
            Versions.checkIfMatch(call.ifMatch(), old.version());
            List<UUID> parents = groups.removeFromAllGroups(uuid, now());
            groups.delete(uuid);
            ArrayNode changes = Changes.diff(old.resource(), null, Set.of(), redactor);
            Changes.addMembership(changes, "memberOf", List.of(), ids(parents));
            recordWrite(call.ctx(), "scim.group.delete", "Group", uuid, old.displayName(), old.externalId(), changes, 204);
            return ScimResult.noContent();
        });
    }

    private ScimResult save(ScimCall call, GroupRow old, ObjectNode resource, Set<String> writeOnly, String action)
            throws ScimException {
        Map<UUID, Member> wanted = resolveMembers(resource, old.id());
        Set<UUID> current = new java.util.HashSet<>();
        groups.members(old.id()).forEach(m -> current.add(m.id()));
        List<Member> added = wanted.values().stream().filter(m -> !current.contains(m.id())).toList();
        List<UUID> removed = current.stream().filter(m -> !wanted.containsKey(m)).toList();
        ObjectNode stored = withoutKeys(resource, "members");
        boolean changed = !stored.equals(old.resource()) || !added.isEmpty() || !removed.isEmpty();
        GroupRow row = old;
        if (changed) {
            row = new GroupRow(old.id(), stored.path("displayName").asText(), text(stored, "externalId"), stored,
                    old.version() + 1, old.created(), now());
            groups.update(row);
            groups.removeMembers(old.id(), removed);
            groups.addMembers(old.id(), added);
        }
        ArrayNode changes = Changes.diff(old.resource(), stored, writeOnly, redactor);
        Changes.addMembership(changes, "members", ids(added.stream().map(Member::id).toList()), ids(removed));
        recordWrite(call.ctx(), action, "Group", row.id(), row.displayName(), row.externalId(), changes, 200);
        List<Member> members = call.projection().wants("members") ? groups.members(row.id()) : List.of();
        return ScimResult.ok(call.projection().apply(render(row, members, call), resourceType),
                Versions.etag(row.version()));
    }

    /**
     * A patch that only adds or removes members: one INSERT or DELETE per changed membership and a new
     * version on the group row, never a read of the other members. Answers 204 unless the call asked for
     * attributes, so a 100,000-member group is not rendered back either (RFC 7644 §3.5.2 allows both).
     */
    private ScimResult patchMembers(ScimCall call, UUID id, MemberPatch.Changes changes) throws ScimException {
        return inTransaction(() -> {
            GroupRow old = groups.findForUpdate(id).orElseThrow(() -> ScimErrors.notFound("Group " + id + " not found"));
            Versions.checkIfMatch(call.ifMatch(), old.version());
            Map<UUID, String> wantedTypes = new LinkedHashMap<>();
            for (String value : changes.added()) {
                wantedTypes.put(memberId(value, id), changes.types().get(value));
            }
            List<UUID> toRemove = new ArrayList<>();
            for (String value : changes.removed()) {
                UUID m = FilterIds.parse(value);
                if (m != null) {
                    toRemove.add(m);
                }
            }
            Map<UUID, String> found = groups.existingTypes(wantedTypes.keySet());
            List<Member> toAdd = new ArrayList<>();
            for (Map.Entry<UUID, String> w : wantedTypes.entrySet()) {
                String type = found.get(w.getKey());
                if (type == null || (w.getValue() != null && !w.getValue().equalsIgnoreCase(type))) {
                    throw BadRequestException.invalidValue("Member '" + w.getKey() + "' does not exist"
                            + (type == null ? "" : " as a " + w.getValue()));
                }
                toAdd.add(new Member(w.getKey(), type, null));
            }
            List<UUID> added = groups.addMembersReturning(id, toAdd);
            List<UUID> removed = groups.removeMembersReturning(id, toRemove);
            GroupRow row = old;
            if (!added.isEmpty() || !removed.isEmpty()) {
                row = new GroupRow(old.id(), old.displayName(), old.externalId(), old.resource(), old.version() + 1,
                        old.created(), now());
                groups.touch(id, row.version(), row.lastModified());
            }
            ArrayNode audit = NODES.arrayNode();
            Changes.addMembership(audit, "members", ids(added), ids(removed));
            recordWrite(call.ctx(), "scim.group.patch", "Group", id, row.displayName(), row.externalId(), audit, 200);
            if (call.projection().equals(Projection.ALL)) {
                return ScimResult.noContent(Versions.etag(row.version()));
            }
            List<Member> members = call.projection().wants("members") ? groups.members(id) : List.of();
            return ScimResult.ok(call.projection().apply(render(row, members, call), resourceType),
                    Versions.etag(row.version()));
        });
    }

    private static UUID memberId(String value, UUID self) throws ScimException {
        UUID m = FilterIds.parse(value);
        if (m == null) {
            throw BadRequestException.invalidValue("Member '" + value + "' does not exist");
        }
        if (m.equals(self)) {
            throw BadRequestException.invalidValue("A group cannot be a member of itself");
        }
        return m;
    }

    /** Members named in a resource, each checked to exist; a group cannot contain itself. */
    private Map<UUID, Member> resolveMembers(ObjectNode resource, UUID self) throws ScimException {
        Map<UUID, Member> out = new LinkedHashMap<>();
        JsonNode members = resource.get("members");
        if (members == null) {
            return out;
        }
        Map<UUID, String> declared = new LinkedHashMap<>();
        for (JsonNode m : members) {
            String value = m.path("value").asText(null);
            if (value == null) {
                throw BadRequestException.invalidValue("Each member needs a 'value'");
            }
            UUID id = FilterIds.parse(value);
            if (id == null) {
                throw BadRequestException.invalidValue("Member '" + value + "' does not exist");
            }
            if (id.equals(self)) {
                throw BadRequestException.invalidValue("A group cannot be a member of itself");
            }
            String type = m.path("type").asText(null);
            if (type != null && !type.equalsIgnoreCase("User") && !type.equalsIgnoreCase("Group")) {
                throw BadRequestException.invalidValue("Member type must be User or Group");
            }
            declared.putIfAbsent(id, type);
        }
        // One lookup for all members, which also holds them until this write commits (see existingTypes).
        Map<UUID, String> found = groups.existingTypes(declared.keySet());
        for (Map.Entry<UUID, String> d : declared.entrySet()) {
            String type = found.get(d.getKey());
            if (type == null || d.getValue() != null && !d.getValue().equalsIgnoreCase(type)) {
                throw BadRequestException.invalidValue("Member '" + d.getKey() + "' does not exist");
            }
            out.put(d.getKey(), new Member(d.getKey(), type, null));
        }
        return out;
    }

    private static List<String> ids(java.util.Collection<UUID> ids) {
        return ids.stream().map(UUID::toString).toList();
    }

    private static String text(ObjectNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    ObjectNode render(GroupRow row, List<Member> members, ScimCall call) {
        ObjectNode out = head(resourceType, row.resource(), row.id());
        if (!members.isEmpty()) {
            ArrayNode arr = out.putArray("members");
            for (Member m : members) {
                ObjectNode o = arr.addObject();
                o.put("value", m.id().toString());
                o.put("$ref", call.location(m.type().equals("User") ? "/Users" : "/Groups", m.id()));
                if (m.display() != null) {
                    o.put("display", m.display());
                }
                o.put("type", m.type());
            }
        }
        out.set("meta", meta(resourceType, row.created(), row.lastModified(),
                call.location(resourceType.endpoint(), row.id()), row.version()));
        return out;
    }

    /** Lenient UUID parsing for member values. */
    static final class FilterIds {
        static UUID parse(String s) {
            try {
                return s.length() == 36 ? UUID.fromString(s) : null;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }
}
