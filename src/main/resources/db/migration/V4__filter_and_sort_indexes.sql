-- Indexes that let SCIM filters and sorted pages read only the rows they return
-- (see docs/decisions/0010-filters-in-sql.md).
--
-- text_pattern_ops: "sw" (LIKE 'abc%') uses a b-tree whatever the database collation.
-- pg_trgm GIN:      "co" and "ew" (LIKE '%abc%') on userName and displayName, when the extension exists.
-- (column, id):     sorted pages walk an index instead of sorting the table, and find a deep page on the
--                   index alone (PagedQuery's deferred join).
-- scim_resource_count: exact row counts kept by statement triggers, so an unfiltered list's
--                   totalResults is one row read instead of a count over the table.

create index scim_user_user_name_lc_pattern_ix on scim_user (user_name_lc text_pattern_ops);
create index scim_user_display_name_lc_pattern_ix on scim_user (lower(display_name) text_pattern_ops);
create index scim_user_external_id_pattern_ix on scim_user (external_id text_pattern_ops);
create index scim_user_user_name_lc_sort_ix on scim_user (user_name_lc, id);
create index scim_user_display_name_lc_sort_ix on scim_user (lower(display_name), id);
create index scim_user_created_sort_ix on scim_user (created, id);
create index scim_user_last_modified_sort_ix on scim_user (last_modified, id);

create index scim_group_display_name_lc_pattern_ix on scim_group (lower(display_name) text_pattern_ops);
create index scim_group_external_id_pattern_ix on scim_group (external_id text_pattern_ops);
create index scim_group_display_name_lc_sort_ix on scim_group (lower(display_name), id);
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

-- Nested groups: deriving a user's indirect groups follows only group-in-group memberships.
create index scim_group_member_nested_ix on scim_group_member (member_id, group_id) where member_type = 'Group';

-- Identity providers match users on a work email (emails[type eq "work"].value eq "..."): the
-- lower-cased email values in a GIN index answer that without reading every user.
create function scim_email_values(resource jsonb) returns text[] language sql immutable parallel safe as $$
    select coalesce(array_agg(lower(e ->> 'value')), '{}')
    from jsonb_array_elements(case when jsonb_typeof(resource -> 'emails') = 'array'
                                   then resource -> 'emails' else '[]'::jsonb end) e
$$;
create index scim_user_email_values_ix on scim_user using gin (scim_email_values(resource));

create table scim_resource_count (
    resource  text   primary key,
    n         bigint not null
);
insert into scim_resource_count (resource, n)
    select 'scim_user', count(*) from scim_user
    union all select 'scim_group', count(*) from scim_group;

create function scim_resource_count_inserted() returns trigger language plpgsql as $$
begin
    update scim_resource_count set n = n + (select count(*) from inserted) where resource = tg_table_name;
    return null;
end $$;

create function scim_resource_count_deleted() returns trigger language plpgsql as $$
begin
    update scim_resource_count set n = n - (select count(*) from deleted) where resource = tg_table_name;
    return null;
end $$;

create trigger scim_user_count_ins after insert on scim_user referencing new table as inserted
    for each statement execute function scim_resource_count_inserted();
create trigger scim_user_count_del after delete on scim_user referencing old table as deleted
    for each statement execute function scim_resource_count_deleted();
create trigger scim_group_count_ins after insert on scim_group referencing new table as inserted
    for each statement execute function scim_resource_count_inserted();
create trigger scim_group_count_del after delete on scim_group referencing old table as deleted
    for each statement execute function scim_resource_count_deleted();

do $$
begin
    if exists (select 1 from pg_roles where rolname = '${appRole}') and current_user <> '${appRole}' then
        execute 'grant select, update on scim_resource_count to ${appRole}';
    end if;
end $$;
