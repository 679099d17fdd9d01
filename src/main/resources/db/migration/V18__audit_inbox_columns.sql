-- The inbox takes a record as the log's own columns instead of one jsonb document (docs/decisions/0016).
--
-- V17's inbox held each record's canonical content as jsonb, with a CHECK making the casts the sequencer
-- would make. Under create load PostgreSQL spent about 11 µs per record parsing that document and 13 µs
-- on the CHECK (most of it reading and planning the constraint's expression again for every INSERT
-- statement), then the sequencer took the fields apart again. With the log's column types the values
-- arrive typed (uuids and numbers bound as such), only `changes` is parsed as JSON, and anything the inbox
-- accepts the log accepts too: the same types, the same NOT NULLs. The hash still covers the record's
-- RFC 8785 canonical content, which the hub computes and the verifier rebuilds from the log's columns.

-- A SHA-256 digest. A domain, not a table CHECK: its expression is read once per session, not per statement.
create domain audit_sha256 as bytea check (length(value) = 32);

alter table audit_inbox rename to audit_inbox_v17;
alter index audit_inbox_id_ix rename to audit_inbox_v17_id_ix;

create table audit_inbox (
    id                   bigint generated always as identity (cache 1),
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
    -- SHA-256 of the record's RFC 8785 canonical content (AuditRecordCodec.canonicalContent).
    content_hash         audit_sha256 not null
);

-- The sequencer takes the oldest ids first (see V17).
create index audit_inbox_id_ix on audit_inbox (id);

-- Only the sequencer (as owner) deletes; nobody updates or truncates (the function is V17's).
create trigger audit_inbox_no_update before update on audit_inbox
    for each row execute function audit_inbox_reject_change();
create trigger audit_inbox_no_truncate before truncate on audit_inbox
    for each statement execute function audit_inbox_reject_change();
alter table audit_inbox enable always trigger audit_inbox_no_update;
alter table audit_inbox enable always trigger audit_inbox_no_truncate;

-- Records a stopped hub left waiting keep their order: inserted oldest first, they get ids in that order.
insert into audit_inbox (event_id, schema_version, event_time, recorded_time, correlation_id, parent_event_id,
                         cycle_id, channel, action, outcome, actor_type, actor_id, actor_ip, actor_user_agent,
                         subject_type, subject_id, subject_name, subject_external_id, target_system, target_id,
                         http_method, http_path, http_status, scim_type, error, attempt, duration_ms, changes,
                         content_hash)
select (r ->> 'eventId')::uuid, (r ->> 'schemaVersion')::smallint, (r ->> 'eventTime')::timestamptz,
       (r ->> 'recordedTime')::timestamptz, r ->> 'correlationId', (r ->> 'parentEventId')::uuid,
       r ->> 'cycleId', r ->> 'channel', r ->> 'action', r ->> 'outcome',
       r -> 'actor' ->> 'type', r -> 'actor' ->> 'id', r -> 'actor' ->> 'ip', r -> 'actor' ->> 'userAgent',
       r -> 'subject' ->> 'type', r -> 'subject' ->> 'id', r -> 'subject' ->> 'name',
       r -> 'subject' ->> 'externalId', r -> 'target' ->> 'system', r -> 'target' ->> 'id',
       r -> 'http' ->> 'method', r -> 'http' ->> 'path', (r -> 'http' ->> 'status')::integer,
       r ->> 'scimType', r ->> 'error', (r ->> 'attempt')::integer, (r ->> 'durationMs')::integer,
       r -> 'changes', content_hash
  from (select id, record as r, content_hash from audit_inbox_v17) v
 order by id;

drop table audit_inbox_v17;

-- V17's function, moving columns as they are: the same seq, prev_hash, record_hash and chain_time rules.
create or replace function audit_sequence_inbox(p_limit integer) returns integer
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
    select array_agg(i.id order by i.id), array_agg(i.content_hash::bytea order by i.id) into v_ids, v_hashes
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
        delete from audit_inbox where id = any(v_ids) returning *)
    insert into audit_event (seq, prev_hash, record_hash, chain_time,
                             event_id, schema_version, event_time, recorded_time, correlation_id,
                             parent_event_id, cycle_id, channel, action, outcome, actor_type, actor_id,
                             actor_ip, actor_user_agent, subject_type, subject_id, subject_name,
                             subject_external_id, target_system, target_id, http_method, http_path,
                             http_status, scim_type, error, attempt, duration_ms, changes)
    select u.seq, u.prev, u.link, u.at,
           m.event_id, m.schema_version, m.event_time, m.recorded_time, m.correlation_id,
           m.parent_event_id, m.cycle_id, m.channel, m.action, m.outcome, m.actor_type, m.actor_id,
           m.actor_ip, m.actor_user_agent, m.subject_type, m.subject_id, m.subject_name,
           m.subject_external_id, m.target_system, m.target_id, m.http_method, m.http_path,
           m.http_status, m.scim_type, m.error, m.attempt, m.duration_ms, m.changes
      from moved m
      join unnest(v_ids, v_seqs, v_prevs, v_links, v_times) as u(id, seq, prev, link, at) on u.id = m.id
     order by u.seq;
    get diagnostics v_moved = row_count;
    if v_moved <> v_n then
        raise exception 'audit_sequence_inbox: moved % of % records', v_moved, v_n using errcode = 'XX000';
    end if;
    update audit_chain_head set seq = v_seq, head_hash = v_prev, chain_time = v_time where chain_id = 1;
    return v_n;
end $$;

do $$
begin
    -- CREATE OR REPLACE resets the function's settings: the fixed search_path goes back on (V15, V17).
    execute format('alter function audit_sequence_inbox(integer) set search_path = %I, pg_temp', current_schema());
    if exists (select 1 from pg_roles where rolname = '${appRole}') and current_user <> '${appRole}' then
        execute 'grant select, insert on audit_inbox to ${appRole}';
        if current_setting('server_version_num')::integer >= 170000 then
            execute 'grant maintain on audit_inbox to ${appRole}';
        end if;
    end if;
end $$;
