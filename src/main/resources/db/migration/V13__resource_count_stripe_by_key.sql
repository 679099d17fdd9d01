-- The striped resource count (V6) updated its stripe with "where resource = tg_table_name and slot =
-- scim_count_slot()". scim_count_slot() is volatile, so PostgreSQL could not compare it once against the
-- primary key: it scanned all stripes of all resource types and called the PL/pgSQL function for each
-- of them. With the dead row versions the stripes collect under load (every write updates one), that
-- scan was about 7% of the PostgreSQL CPU spent on a SCIM create. The slot is now taken once into a
-- variable, and the update finds its row through the primary key (resource, slot).
create or replace function scim_resource_count_inserted() returns trigger language plpgsql as $$
declare
    v_slot smallint := scim_count_slot();
begin
    update scim_resource_count set n = n + (select count(*) from inserted)
        where resource = tg_table_name and slot = v_slot;
    return null;
end $$;

create or replace function scim_resource_count_deleted() returns trigger language plpgsql as $$
declare
    v_slot smallint := scim_count_slot();
begin
    update scim_resource_count set n = n - (select count(*) from deleted)
        where resource = tg_table_name and slot = v_slot;
    return null;
end $$;
