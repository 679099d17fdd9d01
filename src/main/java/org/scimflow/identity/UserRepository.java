package org.scimflow.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.scimflow.scim.filter.SqlFilter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** Users in PostgreSQL. All SQL is parameterised; filter conditions come from {@code FilterSqlBuilder}. */
@Repository
public class UserRepository {

    static final String COLUMNS =
            "r.id, r.user_name, r.external_id, r.display_name, r.active, r.resource, r.version, r.created, r.last_modified";
    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final RowMapper<UserRow> rowMapper;

    public UserRepository(JdbcTemplate jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.rowMapper = this::map;
    }

    public void insert(UserRow u) {
        jdbc.update("insert into scim_user (id, user_name, user_name_lc, external_id, display_name, active, resource, "
                        + "version, created, last_modified) values (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)",
                u.id(), u.userName(), lc(u.userName()), u.externalId(), u.displayName(), u.active(), json(u.resource()),
                u.version(), Timestamp.from(u.created()), Timestamp.from(u.lastModified()));
    }

    public void update(UserRow u) {
        jdbc.update("update scim_user set user_name = ?, user_name_lc = ?, external_id = ?, display_name = ?, "
                        + "active = ?, resource = ?::jsonb, version = ?, last_modified = ? where id = ?",
                u.userName(), lc(u.userName()), u.externalId(), u.displayName(), u.active(), json(u.resource()),
                u.version(), Timestamp.from(u.lastModified()), u.id());
    }

    public Optional<UserRow> find(UUID id) {
        return jdbc.query("select " + COLUMNS + " from scim_user r where r.id = ?", rowMapper, id).stream().findFirst();
    }

    /** Reads and locks the row until the transaction ends. */
    public Optional<UserRow> findForUpdate(UUID id) {
        return jdbc.query("select " + COLUMNS + " from scim_user r where r.id = ? for update", rowMapper, id)
                .stream().findFirst();
    }

    /** The id of the user holding this userName (case-insensitively), if any. */
    public Optional<UUID> idByUserName(String userName) {
        return jdbc.queryForList("select id from scim_user where user_name_lc = ?", UUID.class, lc(userName))
                .stream().findFirst();
    }

    public boolean delete(UUID id) {
        return jdbc.update("delete from scim_user where id = ?", id) == 1;
    }

    /** The planner's row estimate for the table: cheap, not exact; counted while it was never analysed. */
    public long estimatedRows() {
        Long n = jdbc.queryForObject("select case when c.reltuples >= 0 then c.reltuples::bigint else (select count(*) from scim_user) end "
                + "from pg_class c where c.oid = 'scim_user'::regclass",
                Long.class);
        return n == null ? 0 : n;
    }

    public Page<UserRow> search(SqlFilter where, String orderBy, int offset, int limit) {
        return PagedQuery.search(jdbc, "scim_user", COLUMNS, rowMapper, where, orderBy, offset, limit);
    }

    private UserRow map(ResultSet rs, int i) throws SQLException {
        return new UserRow(rs.getObject("id", UUID.class), rs.getString("user_name"), rs.getString("external_id"),
                rs.getString("display_name"), (Boolean) rs.getObject("active"), readJson(rs.getString("resource")),
                rs.getLong("version"), rs.getObject("created", OffsetDateTime.class).toInstant(),
                rs.getObject("last_modified", OffsetDateTime.class).toInstant());
    }

    ObjectNode readJson(String s) throws SQLException {
        try {
            return (ObjectNode) mapper.readTree(s);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable resource", e);
        }
    }

    String json(ObjectNode n) {
        try {
            return mapper.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String lc(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
