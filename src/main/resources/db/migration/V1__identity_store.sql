-- Identity store: SCIM Users and Groups. Indexed columns for what filters and uniqueness need,
-- the full resource as JSONB for everything else.

create table scim_user (
    id             uuid primary key,
    user_name      text        not null,
    user_name_lc   text        not null,
    external_id    text,
    display_name   text,
    active         boolean,
    resource       jsonb       not null,
    version        bigint      not null,
    created        timestamptz not null,
    last_modified  timestamptz not null
);
create unique index scim_user_user_name_lc_uq on scim_user (user_name_lc);
create index scim_user_external_id_ix on scim_user (external_id);
create index scim_user_display_name_lc_ix on scim_user (lower(display_name));
create index scim_user_last_modified_ix on scim_user (last_modified);

create table scim_group (
    id               uuid primary key,
    display_name     text        not null,
    external_id      text,
    resource         jsonb       not null,
    version          bigint      not null,
    created          timestamptz not null,
    last_modified    timestamptz not null
);
create index scim_group_display_name_lc_ix on scim_group (lower(display_name));
create index scim_group_external_id_ix on scim_group (external_id);

-- One row per membership, so adding or removing one member never rewrites a large group.
create table scim_group_member (
    group_id     uuid not null references scim_group (id) on delete cascade,
    member_id    uuid not null,
    member_type  text not null check (member_type in ('User', 'Group')),
    primary key (group_id, member_id)
);
create index scim_group_member_member_ix on scim_group_member (member_id);

do $$
begin
    if exists (select 1 from pg_roles where rolname = '${appRole}') and current_user <> '${appRole}' then
        execute 'grant usage on schema ' || current_schema() || ' to ${appRole}';
        execute 'grant select, insert, update, delete on scim_user, scim_group, scim_group_member to ${appRole}';
    end if;
end $$;
