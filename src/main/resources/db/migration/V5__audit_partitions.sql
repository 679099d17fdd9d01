-- Monthly partitions of the audit log, and retention (see docs/decisions/0011-audit-retention.md).
--
-- audit_event becomes a table partitioned by RANGE on chain_time, one partition per calendar month (UTC),
-- plus a DEFAULT partition that catches rows when maintenance lags. chain_time is a storage column, not
-- part of the hashed record: audit_append sets it under the chain-head lock to
-- greatest(clock_timestamp(), the previous chain_time), so it never decreases along seq and every
-- monthly partition holds one contiguous seq range. (recorded_time is hashed and set by the hub before
-- the lock is taken, so it is not monotonic in seq and cannot be the partition key.)
--
-- The runtime role gets no DDL rights. It keeps partitions ahead and drops old ones only through two
-- SECURITY DEFINER functions owned by the schema owner, audit_ensure_partitions and audit_drop_partition;
-- the second checks in SQL everything a purge needs (signed checkpoint at the boundary, verified archive,
-- oldest partition, contiguous range) and records the purge in the append-only audit_purge table.

-- 1. Where the chain's clock stands.
alter table audit_chain_head add column chain_time timestamptz;

-- 2. The partitioned table: same columns in the same order, then chain_time. Built empty next to the
--    old one, filled, then the old one goes; constraints and indexes come last, when their names are free.
alter table audit_event rename to audit_event_unpartitioned;

create table audit_event (
    seq                  bigint      not null,
    event_id             uuid        not null,
    schema_version       smallint    not null,
    event_time           timestamptz not null,
    recorded_time        timestamptz not null,
    correlation_id       text        not null,
    parent_event_id      uuid,
    cycle_id             text,
    channel              text        not null,
    action               text        not null,
    outcome              text        not null,
    actor_type           text,
    actor_id             text,
    actor_ip             text,
    actor_user_agent     text,
    subject_type         text,
    subject_id           text,
    subject_name         text,
    subject_external_id  text,
    target_system        text,
    target_id            text,
    http_method          text,
    http_path            text,
    http_status          integer,
    scim_type            text,
    error                text,
    attempt              integer,
    duration_ms          integer,
    changes              jsonb,
    prev_hash            bytea       not null,
    record_hash          bytea       not null,
    chain_time           timestamptz not null
) partition by range (chain_time);

-- The partition of one calendar month (UTC) of chain_time: audit_event_YYYY_MM.
create function audit_partition_name(p_month date) returns text
    language sql immutable as $$ select 'audit_event_' || to_char(p_month, 'YYYY_MM') $$;

create function audit_partition_bounds(p_month date, out range_from timestamptz, out range_to timestamptz)
    language sql immutable as $$
    select (date_trunc('month', p_month)::timestamp at time zone 'UTC'),
           ((date_trunc('month', p_month) + interval '1 month')::timestamp at time zone 'UTC')
$$;

-- Creates the month's partition with the statement trigger that refuses TRUNCATE (statement triggers are
-- not inherited; the row triggers that refuse UPDATE and DELETE are cloned onto every partition by
-- PostgreSQL, ENABLE ALWAYS included). Returns its name, or null when it already exists. Owner only.
create function audit_create_partition(p_month date) returns text
    language plpgsql as $$
declare
    v_name text := audit_partition_name(p_month);
    v_from timestamptz;
    v_to   timestamptz;
begin
    if to_regclass(quote_ident(v_name)) is not null then
        return null;
    end if;
    select b.range_from, b.range_to into v_from, v_to from audit_partition_bounds(p_month) b;
    execute format('create table %I partition of audit_event for values from (%L) to (%L)', v_name, v_from, v_to);
    perform audit_protect_partition(v_name);
    return v_name;
end $$;

create function audit_protect_partition(p_name text) returns void
    language plpgsql as $$
begin
    execute format('create trigger audit_event_no_truncate before truncate on %I '
                   'for each statement execute function audit_reject_change()', p_name);
    execute format('alter table %I enable always trigger audit_event_no_truncate', p_name);
end $$;

-- 3. Existing rows: chain_time is the running maximum of recorded_time along seq (monotonic, and close
--    to when each record was appended); every month they span gets its partition, and so do this month
--    and the next two.
do $$
declare
    v_first date;
    v_last  date;
    m       date;
begin
    select date_trunc('month', min(recorded_time) at time zone 'UTC')::date,
           date_trunc('month', max(recorded_time) at time zone 'UTC')::date
      into v_first, v_last
      from audit_event_unpartitioned;
    v_first := least(coalesce(v_first, 'infinity'::date), date_trunc('month', now() at time zone 'UTC')::date);
    v_last := greatest(coalesce(v_last, '-infinity'::date),
                       (date_trunc('month', now() at time zone 'UTC') + interval '2 months')::date);
    for m in select generate_series(v_first, v_last, interval '1 month')::date loop
        perform audit_create_partition(m);
    end loop;
end $$;

create table audit_event_default partition of audit_event default;
do $$ begin perform audit_protect_partition('audit_event_default'); end $$;

insert into audit_event
select u.*, max(u.recorded_time) over (order by u.seq rows between unbounded preceding and current row)
  from audit_event_unpartitioned u
 order by u.seq;

update audit_chain_head set chain_time = (select max(chain_time) from audit_event) where chain_id = 1;

drop table audit_event_unpartitioned;

-- 4. Keys and indexes, on every partition present and future. A unique key on a partitioned table must
--    contain the partition key, so seq and event_id are unique per partition only; audit_append is the
--    only way in for the runtime role and hands out each seq once (see decision 0011).
alter table audit_event add constraint audit_event_pkey primary key (seq, chain_time);
alter table audit_event add constraint audit_event_event_id_key unique (event_id, chain_time);
create index audit_event_time_ix on audit_event (event_time);
create index audit_event_correlation_ix on audit_event (correlation_id);
create index audit_event_subject_ix on audit_event (subject_id);
create index audit_event_actor_ix on audit_event (actor_id);
create index audit_event_action_ix on audit_event (action, seq);
create index audit_event_outcome_ix on audit_event (outcome, seq);
create index audit_event_recorded_time_ix on audit_event (recorded_time);

-- 5. Append-only, as in V2: row triggers are cloned onto every partition (existing and future) with
--    their ENABLE ALWAYS state; the TRUNCATE trigger is on the parent and, by audit_protect_partition,
--    on each partition.
create trigger audit_event_no_update_delete before update or delete on audit_event
    for each row execute function audit_reject_change();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_reject_change();
alter table audit_event enable always trigger audit_event_no_update_delete;
alter table audit_event enable always trigger audit_event_no_truncate;

-- 6. Appending: as in V2, plus chain_time. SECURITY DEFINER now, and the only way the runtime role
--    writes the log: with seq unique per partition only, a direct INSERT could repeat a seq in another
--    month, and a direct UPDATE of the chain head could push chain_time into the future.
create or replace function audit_append(p_row jsonb, p_content_hash bytea)
    returns table (out_seq bigint, out_record_hash bytea)
    language plpgsql security definer as $$
declare
    v_seq  bigint;
    v_prev bytea;
    v_time timestamptz;
    v_hash bytea;
begin
    select h.seq, h.head_hash, h.chain_time into v_seq, v_prev, v_time
      from audit_chain_head h where h.chain_id = 1 for update;
    v_seq := v_seq + 1;
    v_time := greatest(clock_timestamp(), v_time);
    v_hash := sha256(v_prev || int8send(v_seq) || p_content_hash);
    insert into audit_event
    select * from jsonb_populate_record(null::audit_event,
        p_row || jsonb_build_object('seq', v_seq,
                                    'prev_hash', '\x' || encode(v_prev, 'hex'),
                                    'record_hash', '\x' || encode(v_hash, 'hex'),
                                    'chain_time', v_time));
    update audit_chain_head set seq = v_seq, head_hash = v_hash, chain_time = v_time where chain_id = 1;
    out_seq := v_seq;
    out_record_hash := v_hash;
    return next;
end $$;

-- 7. Checkpoints reach Kafka in the order they are signed, not by tree size: retention signs checkpoints
--    at past tree sizes (a purge boundary), which the relay, positioned by tree size, would skip.
--    relay_seq is the relay's order: the tree size as before, except for a checkpoint signed at a past
--    size, which goes after every one signed before it (CheckpointStore.insert computes it). Rows signed
--    before this migration keep it null and count as their tree size, where the relay's position stands.
alter table audit_checkpoint add column relay_seq bigint;
create unique index audit_checkpoint_relay_seq_ix on audit_checkpoint (relay_seq);

-- 8. Verified exports of partitions (written by the hub before a purge) and the purges themselves.
create table audit_archive (
    id              bigserial   primary key,
    partition_name  text        not null,
    first_seq       bigint      not null,
    last_seq        bigint      not null,
    row_count       bigint      not null,
    file_name       text        not null,
    sha256          bytea       not null,
    checkpoint_size bigint      not null,
    verified_at     timestamptz not null,
    created_at      timestamptz not null default now(),
    check (first_seq >= 1 and last_seq >= first_seq and row_count = last_seq - first_seq + 1),
    check (checkpoint_size = last_seq),
    check (length(sha256) = 32)
);

create table audit_purge (
    id              bigserial   primary key,
    partition_name  text        not null,
    range_from      timestamptz not null,
    range_to        timestamptz not null,
    first_seq       bigint,
    last_seq        bigint,
    -- record_hash of last_seq: the prev_hash of the first record kept.
    boundary_hash   bytea,
    row_count       bigint      not null,
    archive_id      bigint      references audit_archive (id),
    purged_at       timestamptz not null default now(),
    purged_by       text        not null default session_user,
    check ((row_count = 0 and first_seq is null and last_seq is null and boundary_hash is null and archive_id is null)
        or (row_count > 0 and row_count = last_seq - first_seq + 1 and boundary_hash is not null
            and archive_id is not null))
);
create index audit_purge_last_seq_ix on audit_purge (last_seq);

create trigger audit_archive_no_update_delete before update or delete on audit_archive
    for each row execute function audit_reject_change();
create trigger audit_archive_no_truncate before truncate on audit_archive
    for each statement execute function audit_reject_change();
alter table audit_archive enable always trigger audit_archive_no_update_delete;
alter table audit_archive enable always trigger audit_archive_no_truncate;
create trigger audit_purge_no_update_delete before update or delete on audit_purge
    for each row execute function audit_reject_change();
create trigger audit_purge_no_truncate before truncate on audit_purge
    for each statement execute function audit_reject_change();
alter table audit_purge enable always trigger audit_purge_no_update_delete;
alter table audit_purge enable always trigger audit_purge_no_truncate;

-- 9. Maintenance for the runtime role.

-- The partitions of audit_event with their month, their seq range and the state of their triggers.
create function audit_partitions()
    returns table (partition_name text, is_default boolean, range_from timestamptz, range_to timestamptz,
                   first_seq bigint, last_seq bigint, estimated_rows bigint, append_only boolean)
    language plpgsql stable security definer as $$
declare
    r record;
begin
    for r in
        select c.relname, c.reltuples, pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' as dflt
          from pg_inherits i join pg_class c on c.oid = i.inhrelid
         where i.inhparent = 'audit_event'::regclass
    loop
        partition_name := r.relname;
        is_default := r.dflt;
        range_from := null;
        range_to := null;
        if not r.dflt and r.relname ~ '^audit_event_[0-9]{4}_[0-9]{2}$' then
            select b.range_from, b.range_to into range_from, range_to
              from audit_partition_bounds(to_date(substr(r.relname, 13), 'YYYY_MM')) b;
        end if;
        execute format('select min(seq), max(seq) from %I', r.relname) into first_seq, last_seq;
        estimated_rows := greatest(r.reltuples, 0)::bigint;
        select count(*) = 2 into append_only
          from pg_trigger t
         where t.tgrelid = (quote_ident(r.relname))::regclass and t.tgenabled = 'A'
           and t.tgname in ('audit_event_no_update_delete', 'audit_event_no_truncate');
        return next;
    end loop;
end $$;

-- Creates the partitions of this month and the next p_months_ahead months. Rows the DEFAULT partition
-- caught meanwhile move into partitions of their own months (the default is detached, emptied by
-- re-inserting its rows through the parent, and replaced), so that no month is ever split between a
-- partition and the default. Returns the names of the partitions it created.
create function audit_ensure_partitions(p_months_ahead integer) returns setof text
    language plpgsql security definer as $$
declare
    v_now    date := date_trunc('month', now() at time zone 'UTC')::date;
    v_first  date;
    v_last   date;
    v_dfirst date;
    v_dlast  date;
    v_moving boolean;
    v_name   text;
    m        date;
begin
    if p_months_ahead is null or p_months_ahead < 0 or p_months_ahead > 24 then
        raise exception 'audit_ensure_partitions: months ahead must be between 0 and 24, not %', p_months_ahead
            using errcode = '22023';
    end if;
    v_first := v_now;
    v_last := (v_now + make_interval(months => p_months_ahead))::date;
    select date_trunc('month', min(chain_time) at time zone 'UTC')::date,
           date_trunc('month', max(chain_time) at time zone 'UTC')::date
      into v_dfirst, v_dlast from audit_event_default;
    v_moving := v_dfirst is not null;
    if not v_moving and not exists (
            select 1 from generate_series(v_first, v_last, interval '1 month') g
             where to_regclass(quote_ident(audit_partition_name(g::date))) is null) then
        return;
    end if;
    if v_moving and v_dlast > (v_now + interval '24 months')::date then
        raise exception 'audit_ensure_partitions: the DEFAULT partition holds records for % (chain_time); '
                        'is the database clock right?', to_char(v_dlast, 'YYYY-MM') using errcode = '22008';
    end if;
    -- Same lock order as audit_append and audit_drop_partition: the chain head, then the table.
    perform 1 from audit_chain_head where chain_id = 1 for update;
    if v_moving then
        lock table audit_event in access exclusive mode;
        v_first := least(v_first, v_dfirst);
        v_last := greatest(v_last, v_dlast);
        alter table audit_event detach partition audit_event_default;
        alter table audit_event_default rename to audit_event_default_moving;
        create table audit_event_default partition of audit_event default;
        perform audit_protect_partition('audit_event_default');
    end if;
    for m in select generate_series(v_first, v_last, interval '1 month')::date loop
        v_name := audit_create_partition(m);
        if v_name is not null then
            return next v_name;
        end if;
    end loop;
    if v_moving then
        insert into audit_event select * from audit_event_default_moving;
        drop table audit_event_default_moving;
    end if;
end $$;

-- Drops one monthly partition, only when every condition of a purge holds, checked here and not
-- (only) by the caller:
--   (a) the partition's month ended before the current month began and it does not hold the chain head;
--   (b) it is the oldest partition holding records, its seq range is gap-free and starts right after the
--       last purge (purges only ever cut a prefix of the chain);
--   (c) a checkpoint exists at exactly its last seq, with that record's hash as head (the verifier resumes
--       there); its signature is checked by the hub, which holds the keys;
--   (d) audit_archive records a verified export of exactly that seq range.
-- It then records the purge in audit_purge and drops the partition. An empty partition needs no
-- checkpoint or archive. Lock order as audit_append: the chain head, then the table.
create function audit_drop_partition(p_name text)
    returns table (purge_id bigint, first_seq bigint, last_seq bigint, row_count bigint, boundary_hash bytea,
                   archive_id bigint)
    language plpgsql security definer as $$
declare
    v_oid       oid;
    v_bound     text;
    v_from      timestamptz;
    v_to        timestamptz;
    v_head      bigint;
    v_first     bigint;
    v_last      bigint;
    v_count     bigint;
    v_prev_last bigint;
    v_boundary  bytea;
    v_archive   bigint;
    v_id        bigint;
begin
    select c.oid, pg_get_expr(c.relpartbound, c.oid) into v_oid, v_bound
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'audit_event'::regclass and c.relname = p_name;
    if v_oid is null then
        raise exception 'audit_drop_partition: % is not a partition of audit_event', p_name using errcode = '42P01';
    end if;
    if p_name !~ '^audit_event_[0-9]{4}_[0-9]{2}$' then
        raise exception 'audit_drop_partition: only monthly partitions are dropped, not %', p_name
            using errcode = '42501';
    end if;
    select b.range_from, b.range_to into v_from, v_to
      from audit_partition_bounds(to_date(substr(p_name, 13), 'YYYY_MM')) b;
    if v_bound is distinct from format('FOR VALUES FROM (%L) TO (%L)', v_from, v_to) then
        raise exception 'audit_drop_partition: % does not cover the month its name says (%)', p_name, v_bound
            using errcode = '42501';
    end if;

    select h.seq into v_head from audit_chain_head h where h.chain_id = 1 for update;
    lock table audit_event in access exclusive mode;

    -- (a)
    if v_to > date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' then
        raise exception 'audit_drop_partition: % is not entirely older than the current month', p_name
            using errcode = '42501';
    end if;
    execute format('select min(seq), max(seq), count(*) from %I', p_name) into v_first, v_last, v_count;
    if v_count > 0 then
        if v_head between v_first and v_last then
            raise exception 'audit_drop_partition: % holds the chain head (seq %)', p_name, v_head
                using errcode = '42501';
        end if;
        -- (b)
        if exists (select 1 from audit_event e where e.seq < v_first) then
            raise exception 'audit_drop_partition: % is not the oldest partition holding records', p_name
                using errcode = '42501';
        end if;
        if v_count <> v_last - v_first + 1 then
            raise exception 'audit_drop_partition: % has gaps in seq %..% (% records)', p_name, v_first, v_last, v_count
                using errcode = '42501';
        end if;
        select coalesce(max(p.last_seq), 0) into v_prev_last from audit_purge p;
        if v_first <> v_prev_last + 1 then
            raise exception 'audit_drop_partition: % starts at seq %, not right after the last purge (seq %)',
                p_name, v_first, v_prev_last using errcode = '42501';
        end if;
        -- (c)
        execute format('select record_hash from %I where seq = $1', p_name) into v_boundary using v_last;
        if not exists (select 1 from audit_checkpoint c join audit_signing_key k on k.key_id = c.key_id
                        where c.tree_size = v_last and c.head_hash = v_boundary and length(c.signature) = 64) then
            raise exception 'audit_drop_partition: no signed checkpoint at tree size % (the last seq of %)', v_last, p_name
                using errcode = '42501';
        end if;
        -- (d)
        select a.id into v_archive from audit_archive a
         where a.partition_name = p_name and a.first_seq = v_first and a.last_seq = v_last and a.row_count = v_count
         order by a.id desc limit 1;
        if v_archive is null then
            raise exception 'audit_drop_partition: no verified archive of seq %..% (%)', v_first, v_last, p_name
                using errcode = '42501';
        end if;
    else
        v_first := null;
        v_last := null;
    end if;

    insert into audit_purge (partition_name, range_from, range_to, first_seq, last_seq, boundary_hash, row_count,
                             archive_id)
    values (p_name, v_from, v_to, v_first, v_last, v_boundary, v_count, v_archive)
    returning id into v_id;
    execute format('drop table %I', p_name);
    purge_id := v_id;
    first_seq := v_first;
    last_seq := v_last;
    row_count := v_count;
    boundary_hash := v_boundary;
    archive_id := v_archive;
    return next;
end $$;

-- Fixed search_path for the SECURITY DEFINER functions and their helpers (this schema, then pg_temp
-- last so no temporary object can stand in for one of ours), UTC for month arithmetic, and a bound on
-- how long maintenance waits for the table lock while appends queue behind it.
do $$
declare
    f text;
begin
    foreach f in array array['audit_append(jsonb, bytea)', 'audit_partitions()', 'audit_ensure_partitions(integer)',
                             'audit_drop_partition(text)', 'audit_create_partition(date)',
                             'audit_protect_partition(text)'] loop
        execute format('alter function %s set search_path = %I, pg_temp', f, current_schema());
    end loop;
    execute 'alter function audit_ensure_partitions(integer) set lock_timeout = ''10s''';
    execute 'alter function audit_drop_partition(text) set lock_timeout = ''10s''';
    execute 'alter function audit_drop_partition(text) set timezone = ''UTC''';
    execute 'alter function audit_partitions() set timezone = ''UTC''';
end $$;

-- Functions are executable by PUBLIC by default; these only by the owner and the runtime role.
revoke all on function audit_append(jsonb, bytea) from public;
revoke all on function audit_partitions() from public;
revoke all on function audit_ensure_partitions(integer) from public;
revoke all on function audit_drop_partition(text) from public;
revoke all on function audit_create_partition(date) from public;
revoke all on function audit_protect_partition(text) from public;

do $$
begin
    if exists (select 1 from pg_roles where rolname = '${appRole}') and current_user <> '${appRole}' then
        execute 'grant select on audit_event to ${appRole}';
        execute 'revoke update on audit_chain_head from ${appRole}';
        execute 'grant execute on function audit_append(jsonb, bytea) to ${appRole}';
        execute 'grant execute on function audit_partitions() to ${appRole}';
        execute 'grant execute on function audit_ensure_partitions(integer) to ${appRole}';
        execute 'grant execute on function audit_drop_partition(text) to ${appRole}';
        execute 'grant select, insert on audit_archive to ${appRole}';
        execute 'grant usage on sequence audit_archive_id_seq to ${appRole}';
        execute 'grant select on audit_purge to ${appRole}';
    end if;
end $$;
