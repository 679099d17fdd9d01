package org.scimflow.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.scimflow.scim.filter.FilterSqlBuilder;
import org.scimflow.scim.filter.ResourceTable;
import org.scimflow.scim.filter.SortSqlBuilder;
import org.scimflow.scim.filter.SqlFilter;
import org.scimflow.scim.schema.ScimSchemas;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What PostgreSQL's planner makes of the hub's page statement on a directory of 100,000 users. A narrow
 * filter must be answered from the filter's own indexes: walking the sort order instead, in the hope
 * of finding a page's worth of matches early, reads the whole table when there are only a few.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilterPlanTest {

    static final int USERS = 100_000;

    EmbeddedPostgres pg;
    JdbcTemplate db;
    final ResourceTable users = ResourceTable.users(ScimSchemas.from(List.of()).user());
    final FilterSqlBuilder filters = new FilterSqlBuilder(users);
    final SortSqlBuilder sorts = new SortSqlBuilder(users);

    @BeforeAll
    void aLoadedDirectory() throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("scimflow.test.tmp", "target")), "plans-");
        pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("postgres")).setCleanDataDirectory(true).start();
        db = new JdbcTemplate(pg.getPostgresDatabase());
        db.execute("create role scimflow_app login");
        Flyway.configure().dataSource(pg.getPostgresDatabase()).locations("classpath:db/migration")
                .placeholders(Map.of("appRole", "scimflow_app")).load().migrate();
        // As an identity provider loads them: user i created i-th, every tenth inactive.
        db.update("insert into scim_user (id, user_name, user_name_lc, external_id, display_name, active, resource, version,"
                + " created, last_modified) select gen_random_uuid(), 'jdoe-' || i || '@example.com',"
                + " 'jdoe-' || i || '@example.com', 'ext-' || i, 'User ' || i, i % 10 <> 0, '{}'::jsonb, 1,"
                + " timestamptz '2026-01-01' + i * interval '1 second', timestamptz '2026-01-01' + i * interval '1 second'"
                + " from generate_series(0, ?) i", USERS - 1);
        db.execute("analyze scim_user");
    }

    @AfterAll
    void stop() throws Exception {
        pg.close();
    }

    /**
     * Every "jdoe-NNNN" prefix matches 11 users (NNNN and NNNN0 to NNNN9); one in five of them is planned.
     * With PostgreSQL's default statistics about one prefix in a hundred was estimated at some 900 rows
     * and its page walked the created order (V9).
     */
    @Test
    void aNarrowFilterIsAnsweredFromItsIndexesNotByWalkingTheSortOrder() throws Exception {
        String orderBy = sorts.orderBy(null, false);
        List<Integer> walked = new ArrayList<>();
        for (int n = 1000; n < 10_000; n += 5) {
            SqlFilter where = filters.build("(userName sw \"jdoe-" + n + "\" or externalId eq \"ext-" + (n * 7) + "\")"
                    + " and active eq true");
            List<Object> params = new ArrayList<>(where.params());
            params.add(100);
            String first = String.join("\n", db.queryForList("explain " + PagedQuery.firstPageSql("scim_user",
                    UserRepository.COLUMNS, where, orderBy), String.class, params.toArray()));
            params.add(100);
            String later = String.join("\n", db.queryForList("explain " + PagedQuery.pageSql("scim_user",
                    UserRepository.COLUMNS, where, orderBy), String.class, params.toArray()));
            if (first.contains("scim_user_created_sort_ix") || later.contains("scim_user_created_sort_ix")) {
                walked.add(n);
            }
        }
        assertThat(walked).as("prefixes whose page walks the whole created order").isEmpty();
    }
}
