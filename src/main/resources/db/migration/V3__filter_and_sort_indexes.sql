-- Indexes that let SCIM filters and sorted pages read only the rows they return
-- (see docs/decisions/0007-filters-in-sql.md).
--
-- text_pattern_ops: "sw" (LIKE 'abc%') uses a b-tree whatever the database collation.
-- pg_trgm GIN:      "co" and "ew" (LIKE '%abc%') on userName and displayName, when the extension exists.
-- (column, id):     sorted pages with the id tie-breaker walk an index instead of sorting the table.

create index scim_user_user_name_lc_pattern_ix on scim_user (user_name_lc text_pattern_ops);
create index scim_user_display_name_lc_pattern_ix on scim_user (lower(display_name) text_pattern_ops);
create index scim_user_external_id_pattern_ix on scim_user (external_id text_pattern_ops);
create index scim_user_display_name_lc_sort_ix on scim_user (lower(display_name), id);
create index scim_user_created_sort_ix on scim_user (created, id);
create index scim_user_last_modified_sort_ix on scim_user (last_modified, id);

create index scim_group_display_name_lc_pattern_ix on scim_group (lower(display_name) text_pattern_ops);
create index scim_group_external_id_pattern_ix on scim_group (external_id text_pattern_ops);
create index scim_group_created_sort_ix on scim_group (created, id);
create index scim_group_last_modified_sort_ix on scim_group (last_modified, id);

-- pg_trgm ships with PostgreSQL's contrib modules (the embedded server has it). Where it cannot be
-- installed, co/ew filters still work; on large tables they are then answered 400 tooMany.
do $$
begin
    begin
        create extension if not exists pg_trgm;
    exception when others then
        raise notice 'pg_trgm unavailable (%): co/ew filters will not be index-backed', sqlerrm;
    end;
    if exists (select 1 from pg_extension where extname = 'pg_trgm') then
        execute 'create index scim_user_user_name_lc_trgm_ix on scim_user using gin (user_name_lc gin_trgm_ops)';
        execute 'create index scim_user_display_name_lc_trgm_ix on scim_user using gin (lower(display_name) gin_trgm_ops)';
        execute 'create index scim_group_display_name_lc_trgm_ix on scim_group using gin (lower(display_name) gin_trgm_ops)';
    end if;
end $$;
