-- audit_append_columns (V11) runs with its owner's rights (SECURITY DEFINER) and is the runtime role's
-- only way to write audit records, but it was created without a fixed search_path, unlike the definer
-- functions of V5. It then resolved audit_chain_head and audit_event through the caller's search path,
-- where the caller's temporary tables come first: the runtime role could create temporary tables of
-- those names, one with a trigger, and have the function insert into them as its owner, which ran the
-- trigger with the owner's rights (with the embedded database, a superuser). Same fix as V5: this
-- schema, then pg_temp last, so no temporary object can stand in for one of ours.
-- DefinerFunctionsTest makes the attempt and checks every definer function of the schema.
do $$
begin
    execute format('alter function audit_append_columns(uuid[], smallint[], timestamptz[], timestamptz[], text[], '
                   'uuid[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], '
                   'text[], text[], text[], text[], text[], integer[], text[], text[], integer[], integer[], jsonb[], '
                   'bytea[]) set search_path = %I, pg_temp', current_schema());
end $$;
