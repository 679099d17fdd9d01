-- Audit records reach the chain through an inbox (docs/decisions/0015).
--
-- A write's audit record used to be linked into the chain inside the write's own transaction: one
-- audit_append_columns call per group-commit batch, about three records, each call paying for the chain
-- head's lock, a PL/pgSQL call with 29 arrays, and opening the eleven indexes of the current partition.
-- Now the write's transaction inserts the record into audit_inbox, a table indexed on its id alone, and
-- commits it with the change it describes; the hub's sequencer moves what committed into the chain every
-- few milliseconds, hundreds of records per call, through audit_sequence_inbox below. The record is as
-- durable as before when the caller is answered; it gets its seq, links and a place in the log when it
-- is sequenced. seq order is sequencing order, which keeps the order of writes that depend on each other:
-- id comes from one sequence without cache, so a record inserted after another committed has a larger id.
create table audit_inbox (
    id            bigint generated always as identity (cache 1),
    -- The record's RFC 8785 canonical content, the bytes content_hash covers (AuditRecordCodec.content).
    record        jsonb not null,
    content_hash  bytea not null,
    -- Whatever is accepted here can be sequenced: a record the chain would refuse fails its own write now,
    -- instead of stopping the sequencer later. The casts are those audit_sequence_inbox makes.
    constraint audit_inbox_record_sequenceable check (
        length(content_hash) = 32
        and jsonb_typeof(record) = 'object'
        and num_nulls((record ->> 'eventId')::uuid, (record ->> 'schemaVersion')::smallint,
                      (record ->> 'eventTime')::timestamptz, (record ->> 'recordedTime')::timestamptz,
                      record ->> 'correlationId', record ->> 'channel', record ->> 'action', record ->> 'outcome') = 0
        and num_nulls((record ->> 'parentEventId')::uuid, (record -> 'http' ->> 'status')::integer,
                      (record ->> 'attempt')::integer, (record ->> 'durationMs')::integer) >= 0)
);

-- The sequencer takes the oldest ids first. Entries of moved records stay dead until the inbox is
-- vacuumed, which the sequencer does itself every few thousand records (autovacuum looks once a minute).
create index audit_inbox_id_ix on audit_inbox (id);

-- Only the sequencer (below, as owner) deletes; nobody updates or truncates.
create function audit_inbox_reject_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit_inbox: % is not allowed; records leave the inbox only through audit_sequence_inbox', tg_op
        using errcode = '42501';
end $$;
create trigger audit_inbox_no_update before update on audit_inbox
    for each row execute function audit_inbox_reject_change();
create trigger audit_inbox_no_truncate before truncate on audit_inbox
    for each statement execute function audit_inbox_reject_change();
alter table audit_inbox enable always trigger audit_inbox_no_update;
alter table audit_inbox enable always trigger audit_inbox_no_truncate;

-- Moves up to p_limit records, oldest id first, from the inbox into the chain and returns how many:
-- the same seq, prev_hash, record_hash and never-decreasing chain_time as audit_append_columns (V11)
-- gives records appended in that order. Sequencers take turns on the chain head's lock; only they delete
-- from the inbox, so the rows deleted are the rows read.
create function audit_sequence_inbox(p_limit integer) returns integer
    language plpgsql security definer set enable_seqscan = off as $$
declare
    v_seq    bigint;
    v_prev   bytea;
    v_time   timestamptz;
    v_ids    bigint[];
    v_hashes bytea[];
    v_n      integer;
    v_moved  bigint;
    v_seqs   bigint[] := '{}';
    v_prevs  bytea[] := '{}';
    v_links  bytea[] := '{}';
    v_times  timestamptz[] := '{}';
begin
    if not exists (select 1 from audit_inbox) then
        return 0;
    end if;
    select h.seq, h.head_hash, h.chain_time into v_seq, v_prev, v_time
      from audit_chain_head h where h.chain_id = 1 for update;
    select array_agg(i.id order by i.id), array_agg(i.content_hash order by i.id) into v_ids, v_hashes
      from (select id, content_hash from audit_inbox order by id limit p_limit) i;
    v_n := coalesce(array_length(v_ids, 1), 0);
    if v_n = 0 then
        return 0;
    end if;
    for i in 1 .. v_n loop
        v_seq := v_seq + 1;
        v_time := greatest(clock_timestamp(), v_time);
        v_seqs[i] := v_seq;
        v_prevs[i] := v_prev;
        v_prev := sha256(v_prev || int8send(v_seq) || v_hashes[i]);
        v_links[i] := v_prev;
        v_times[i] := v_time;
    end loop;
    with moved as (
        delete from audit_inbox where id = any(v_ids) returning id, record)
    insert into audit_event (seq, prev_hash, record_hash, chain_time,
                             event_id, schema_version, event_time, recorded_time, correlation_id,
                             parent_event_id, cycle_id, channel, action, outcome, actor_type, actor_id,
                             actor_ip, actor_user_agent, subject_type, subject_id, subject_name,
                             subject_external_id, target_system, target_id, http_method, http_path,
                             http_status, scim_type, error, attempt, duration_ms, changes)
    select u.seq, u.prev, u.link, u.at,
           (r ->> 'eventId')::uuid, (r ->> 'schemaVersion')::smallint, (r ->> 'eventTime')::timestamptz,
           (r ->> 'recordedTime')::timestamptz, r ->> 'correlationId', (r ->> 'parentEventId')::uuid,
           r ->> 'cycleId', r ->> 'channel', r ->> 'action', r ->> 'outcome',
           r -> 'actor' ->> 'type', r -> 'actor' ->> 'id', r -> 'actor' ->> 'ip', r -> 'actor' ->> 'userAgent',
           r -> 'subject' ->> 'type', r -> 'subject' ->> 'id', r -> 'subject' ->> 'name',
           r -> 'subject' ->> 'externalId', r -> 'target' ->> 'system', r -> 'target' ->> 'id',
           r -> 'http' ->> 'method', r -> 'http' ->> 'path', (r -> 'http' ->> 'status')::integer,
           r ->> 'scimType', r ->> 'error', (r ->> 'attempt')::integer, (r ->> 'durationMs')::integer,
           r -> 'changes'
      from (select m.id, m.record as r from moved m) x
      join unnest(v_ids, v_seqs, v_prevs, v_links, v_times) as u(id, seq, prev, link, at) on u.id = x.id
     order by u.seq;
    get diagnostics v_moved = row_count;
    if v_moved <> v_n then
        raise exception 'audit_sequence_inbox: moved % of % records', v_moved, v_n using errcode = 'XX000';
    end if;
    update audit_chain_head set seq = v_seq, head_hash = v_prev, chain_time = v_time where chain_id = 1;
    return v_n;
end $$;

revoke all on function audit_sequence_inbox(integer) from public;
do $$
begin
    execute format('alter function audit_sequence_inbox(integer) set search_path = %I, pg_temp', current_schema());
    if exists (select 1 from pg_roles where rolname = '${appRole}') and current_user <> '${appRole}' then
        execute 'grant select, insert on audit_inbox to ${appRole}';
        execute 'grant execute on function audit_sequence_inbox(integer) to ${appRole}';
        if current_setting('server_version_num')::integer >= 170000 then
            execute 'grant maintain on audit_inbox to ${appRole}';
        end if;
    end if;
end $$;

-- Nothing calls the batch append any more: records reach the log only through the inbox.
drop function audit_append_columns(uuid[], smallint[], timestamptz[], timestamptz[], text[], uuid[],
    text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[],
    text[], text[], integer[], text[], text[], integer[], integer[], jsonb[], bytea[]);
