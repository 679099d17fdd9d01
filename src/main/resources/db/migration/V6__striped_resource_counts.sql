-- scim_resource_count as 64 stripes per resource type instead of one row.
--
-- With one row, every insert or delete of a user locked that row until its transaction committed, so
-- concurrent write batches (see docs/decisions/0006) queued behind each other however many workers
-- there were. Each transaction now adds its delta to one stripe, chosen at random once per transaction
-- (or set with scimflow.count_slot, as tests do to make two transactions meet or miss), so transactions
-- rarely wait for each other on the counter and, touching a single stripe each, never deadlock on it.
-- The count is the sum of the stripes.

alter table scim_resource_count add column slot smallint not null default 0;
alter table scim_resource_count drop constraint scim_resource_count_pkey;
alter table scim_resource_count add primary key (resource, slot);
insert into scim_resource_count (resource, slot, n)
    select r.resource, s, 0 from (select distinct resource from scim_resource_count) r, generate_series(1, 63) s;

create function scim_count_slot() returns smallint language plpgsql as $$
declare
    s text := current_setting('scimflow.count_slot', true);
begin
    if s is null or s = '' then
        s := floor(random() * 64)::int::text;
        perform set_config('scimflow.count_slot', s, true);
    end if;
    return s::smallint;
end $$;

create or replace function scim_resource_count_inserted() returns trigger language plpgsql as $$
begin
    update scim_resource_count set n = n + (select count(*) from inserted)
        where resource = tg_table_name and slot = scim_count_slot();
    return null;
end $$;

create or replace function scim_resource_count_deleted() returns trigger language plpgsql as $$
begin
    update scim_resource_count set n = n - (select count(*) from deleted)
        where resource = tg_table_name and slot = scim_count_slot();
    return null;
end $$;
