package org.scimflow.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.scimflow.scim.filter.SqlFilter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** Groups and their memberships in PostgreSQL. */
@Repository
public class GroupRepository {

    private static final String COLUMNS =
            "r.id, r.display_name, r.external_id, r.resource, r.version, r.created, r.last_modified";
    /** How deep nested groups are followed when deriving a resource's groups. */
    static final int MAX_NESTING = 32;
    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final RowMapper<GroupRow> rowMapper;

    public GroupRepository(JdbcTemplate jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.rowMapper = this::map;
    }

    public void insert(GroupRow g) {
        jdbc.update("insert into scim_group (id, display_name, external_id, resource, version, created, last_modified)"
                        + " values (?, ?, ?, ?::jsonb, ?, ?, ?)",
                g.id(), g.displayName(), g.externalId(), json(g.resource()), g.version(), Timestamp.from(g.created()),
                Timestamp.from(g.lastModified()));
    }

    public void update(GroupRow g) {
        jdbc.update("update scim_group set display_name = ?, external_id = ?, resource = ?::jsonb, version = ?, "
                        + "last_modified = ? where id = ?",
                g.displayName(), g.externalId(), json(g.resource()), g.version(), Timestamp.from(g.lastModified()), g.id());
    }

    public Optional<GroupRow> find(UUID id) {
        return jdbc.query("select " + COLUMNS + " from scim_group r where r.id = ?", rowMapper, id).stream().findFirst();
    }

    public Optional<GroupRow> findForUpdate(UUID id) {
        return jdbc.query("select " + COLUMNS + " from scim_group r where r.id = ? for update", rowMapper, id)
                .stream().findFirst();
    }

    public boolean delete(UUID id) {
        return jdbc.update("delete from scim_group where id = ?", id) == 1;
    }

    public Page<GroupRow> search(SqlFilter where, String orderBy, int offset, int limit) {
        return PagedQuery.search(jdbc, "scim_group", COLUMNS, rowMapper, where, orderBy, offset, limit);
    }

    /** Members of one group with display names resolved from the member resources. */
    public List<Member> members(UUID groupId) {
        return members(List.of(groupId)).getOrDefault(groupId, List.of());
    }

    /** {@link #members(UUID)} for a page of groups in one query. */
    public java.util.Map<UUID, List<Member>> members(Collection<UUID> groupIds) {
        java.util.Map<UUID, List<Member>> out = new java.util.HashMap<>();
        if (groupIds.isEmpty()) {
            return out;
        }
        jdbc.query("select m.group_id, m.member_id, m.member_type, coalesce(u.display_name, u.user_name, g.display_name) d "
                        + "from scim_group_member m left join scim_user u on u.id = m.member_id "
                        + "left join scim_group g on g.id = m.member_id where m.group_id = any(?) "
                        + "order by m.group_id, m.member_id",
                (java.sql.ResultSet rs) -> {
                    out.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new Member(rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4)));
                }, (Object) groupIds.toArray(UUID[]::new));
        return out;
    }

    /**
     * Groups a resource belongs to, directly or through nested groups; {@link Member#type()} is
     * {@code direct} or {@code indirect}. Depth is bounded, so a membership cycle cannot loop.
     */
    public List<Member> groupsOf(UUID memberId) {
        return groupsOf(List.of(memberId)).getOrDefault(memberId, List.of());
    }

    /**
     * {@link #groupsOf(UUID)} for a page of resources in one query. The recursive step follows only
     * group-in-group memberships, which a small partial index (V4) holds: the planner cannot size the
     * recursion and would otherwise hash every membership row of the directory on each call.
     *
     * <p>One id (a read by id, a lookup that found one user) is bound as a value, not as an array of one:
     * PostgreSQL then reuses one plan for every call, where an array makes it plan each call anew (a
     * generic plan cannot know the array's length), which cost more than running the query.
     */
    public java.util.Map<UUID, List<Member>> groupsOf(Collection<UUID> memberIds) {
        java.util.Map<UUID, List<Member>> out = new java.util.HashMap<>();
        if (memberIds.isEmpty()) {
            return out;
        }
        boolean one = memberIds.size() == 1;
        Object param = one ? memberIds.iterator().next() : memberIds.toArray(UUID[]::new);
        jdbc.query(one ? GROUPS_OF_ONE : GROUPS_OF_MANY,
                (java.sql.ResultSet rs) -> {
                    out.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new Member(rs.getObject(2, UUID.class), rs.getInt(4) == 1 ? "direct" : "indirect",
                                    rs.getString(3)));
                }, param);
        return out;
    }

    private static String groupsOfSql(String anchor) {
        return "with recursive up(member_id, group_id, depth) as ("
                + " select member_id, group_id, 1 from scim_group_member where " + anchor
                + " union"
                + " select up.member_id, m.group_id, up.depth + 1 from scim_group_member m"
                + " join up on m.member_id = up.group_id where m.member_type = 'Group' and up.depth < "
                + MAX_NESTING + ")"
                + " select up.member_id, g.id, g.display_name, min(up.depth) d from up"
                + " join scim_group g on g.id = up.group_id where g.id <> up.member_id"
                + " group by up.member_id, g.id, g.display_name order by up.member_id, d, g.display_name, g.id";
    }

    private static final String GROUPS_OF_ONE = groupsOfSql("member_id = ?");
    private static final String GROUPS_OF_MANY = groupsOfSql("member_id = any(?)");

    /** The type (User or Group) of each id that names an existing resource. */
    public java.util.Map<UUID, String> existingTypes(Collection<UUID> ids) {
        java.util.Map<UUID, String> out = new java.util.HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        UUID[] arr = ids.toArray(UUID[]::new);
        // FOR KEY SHARE holds each found member until this transaction ends: a delete of it (which locks it
        // FOR UPDATE, then removes it from every group) waits, and then removes the membership added here
        // too; without the lock it could commit in between and leave a member that no longer exists.
        // Ordered by id, so that writes locking the same members take them in the same order.
        jdbc.query("select id from scim_user where id = any(?) order by id for key share",
                (rs) -> {
                    out.put(rs.getObject(1, UUID.class), "User");
                }, (Object) arr);
        jdbc.query("select id from scim_group where id = any(?) order by id for key share",
                (rs) -> {
                    out.put(rs.getObject(1, UUID.class), "Group");
                }, (Object) arr);
        return out;
    }

    /** Inserts the memberships that do not exist yet and returns the member ids actually added. */
    public List<UUID> addMembersReturning(UUID groupId, Collection<Member> members) {
        if (members.isEmpty()) {
            return List.of();
        }
        return jdbc.queryForList("insert into scim_group_member (group_id, member_id, member_type) "
                        + "select ?, m.id, m.t from unnest(?::uuid[], ?::text[]) as m(id, t) on conflict do nothing "
                        + "returning member_id", UUID.class, groupId,
                members.stream().map(Member::id).toArray(UUID[]::new),
                members.stream().map(Member::type).toArray(String[]::new));
    }

    /** Deletes these memberships and returns the member ids that were there. */
    public List<UUID> removeMembersReturning(UUID groupId, Collection<UUID> memberIds) {
        if (memberIds.isEmpty()) {
            return List.of();
        }
        return jdbc.queryForList("delete from scim_group_member where group_id = ? and member_id = any(?) "
                + "returning member_id", UUID.class, groupId, memberIds.toArray(UUID[]::new));
    }

    /** A new version for a group whose memberships changed; its resource row is not rewritten. */
    public void touch(UUID groupId, long version, Instant now) {
        jdbc.update("update scim_group set version = ?, last_modified = ? where id = ?", version, Timestamp.from(now),
                groupId);
    }

    /** The planner's row estimate for the table: cheap, not exact; counted while it was never analysed. */
    public long estimatedRows() {
        Long n = jdbc.queryForObject("select case when c.reltuples >= 0 then c.reltuples::bigint else (select count(*) from scim_group) end "
                + "from pg_class c where c.oid = 'scim_group'::regclass",
                Long.class);
        return n == null ? 0 : n;
    }

    public void addMembers(UUID groupId, Collection<Member> members) {
        if (members.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("insert into scim_group_member (group_id, member_id, member_type) values (?, ?, ?) "
                        + "on conflict do nothing",
                members.stream().map(m -> new Object[] {groupId, m.id(), m.type()}).toList());
    }

    public void removeMembers(UUID groupId, Collection<UUID> memberIds) {
        if (memberIds.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("delete from scim_group_member where group_id = ? and member_id = ?",
                memberIds.stream().map(id -> new Object[] {groupId, id}).toList());
    }

    /**
     * Removes a deleted resource from every group it was in, bumping those groups' versions so that
     * their ETags change. Returns the affected group ids.
     */
    public List<UUID> removeFromAllGroups(UUID memberId, Instant now) {
        return jdbc.queryForList("with removed as (delete from scim_group_member where member_id = ? returning group_id) "
                        + "update scim_group g set version = g.version + 1, last_modified = ? "
                        + "where g.id in (select group_id from removed) returning g.id",
                UUID.class, memberId, Timestamp.from(now));
    }

    private GroupRow map(ResultSet rs, int i) throws SQLException {
        try {
            return new GroupRow(rs.getObject("id", UUID.class), rs.getString("display_name"),
                    rs.getString("external_id"), (ObjectNode) mapper.readTree(rs.getString("resource")),
                    rs.getLong("version"), rs.getObject("created", OffsetDateTime.class).toInstant(),
                    rs.getObject("last_modified", OffsetDateTime.class).toInstant());
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable resource", e);
        }
    }

    private String json(ObjectNode n) {
        try {
            return mapper.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
