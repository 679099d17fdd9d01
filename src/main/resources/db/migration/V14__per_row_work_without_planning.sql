-- Two costs every SCIM create paid in PostgreSQL, found with `perf record --call-graph dwarf` on the
-- backends of a hub under create load (docs/benchmarks.md, 30 Nov).
--
-- 1. The email index's function was parsed and planned for every row.
--    scim_email_values (V4) is an SQL function whose body has a FROM clause and an aggregate, so it
--    cannot be inlined. PostgreSQL then runs it through the SQL-function executor, which parses,
--    analyses and plans the body again for every call made from an index expression. Before that,
--    every INSERT statement tries to inline it while preparing the index expressions, which parses it
--    once more. Together: 16% of the PostgreSQL CPU spent on a create.
--    The PL/pgSQL version below walks the array with simple expressions, which PL/pgSQL evaluates
--    without the executor and without planning. It returns exactly what the SQL version returned: the
--    lower-cased "value" of each element, in order, NULL where an element has no string value, and an
--    empty array when emails is missing or not an array. The index therefore stays valid as it is
--    (ScimEmailValuesTest compares both versions).
--
-- 2. The single rows every write updates were read by sequential scan.
--    The resource-count stripes (V6, V13) and the audit chain head (V2) are tiny tables whose rows are
--    updated on every write. Under load they collect dead row versions faster than pruning removes
--    them (any open snapshot holds the pruning back), and grew to 34 and 17 pages. The plans cached by
--    the PL/pgSQL functions that update them were made while each table had one page, where a
--    sequential scan is the cheaper plan, and they kept scanning every page until something
--    invalidated the plan. That was about 7% of the PostgreSQL CPU spent on a create.
--    (V13's comment says its update found the row through the primary key. It did so in a fresh
--    session, but not with the plans these functions had cached.)
--    These functions now run with enable_seqscan off, so their plans use the primary key whatever the
--    table's size was when they were made.
create or replace function scim_email_values(resource jsonb) returns text[]
    language plpgsql immutable parallel safe as $$
declare
    v_emails jsonb := resource -> 'emails';
    v_values text[] := '{}';
begin
    if jsonb_typeof(v_emails) is distinct from 'array' then
        return v_values;
    end if;
    for i in 0 .. jsonb_array_length(v_emails) - 1 loop
        v_values := v_values || lower(v_emails -> i ->> 'value');
    end loop;
    return v_values;
end $$;

alter function scim_resource_count_inserted() set enable_seqscan = off;
alter function scim_resource_count_deleted() set enable_seqscan = off;
alter function audit_append_columns(uuid[], smallint[], timestamptz[], timestamptz[], text[], uuid[],
    text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[],
    text[], text[], integer[], text[], text[], integer[], integer[], jsonb[], bytea[]) set enable_seqscan = off;
