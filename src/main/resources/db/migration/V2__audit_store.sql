-- Audit store: one append-only, hash-chained table that is also the Kafka outbox.
--
-- seq is gap-free and assigned under the chain-head row lock in the writer's own transaction, so seq
-- order is commit order: a reader paging by seq (the API cursor, the Kafka relay) never skips a row.
-- record_hash = sha256(prev_hash || int8send(seq) || content_hash), where content_hash is the
-- SHA-256 of the record's RFC 8785 canonical JSON (computed by the hub, re-computed by the verifier).

create table audit_chain_head (
    chain_id   smallint primary key,
    seq        bigint not null,
    head_hash  bytea  not null
);
insert into audit_chain_head (chain_id, seq, head_hash) values (1, 0, decode(repeat('00', 32), 'hex'));

create table audit_event (
    seq                  bigint primary key,
    event_id             uuid        not null unique,
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
    record_hash          bytea       not null
);
create index audit_event_time_ix on audit_event (event_time);
create index audit_event_correlation_ix on audit_event (correlation_id);
create index audit_event_subject_ix on audit_event (subject_id);
create index audit_event_actor_ix on audit_event (actor_id);
create index audit_event_action_ix on audit_event (action, seq);
create index audit_event_outcome_ix on audit_event (outcome, seq);

-- How far each relay (Kafka publisher) got.
create table audit_relay_state (
    relay         text primary key,
    last_seq      bigint      not null,
    updated_time  timestamptz not null
);
insert into audit_relay_state (relay, last_seq, updated_time) values ('kafka', 0, now());

create function audit_append(p_row jsonb, p_content_hash bytea)
    returns table (out_seq bigint, out_record_hash bytea)
    language plpgsql as $$
declare
    v_seq  bigint;
    v_prev bytea;
    v_hash bytea;
begin
    select h.seq, h.head_hash into v_seq, v_prev from audit_chain_head h where h.chain_id = 1 for update;
    v_seq := v_seq + 1;
    v_hash := sha256(v_prev || int8send(v_seq) || p_content_hash);
    insert into audit_event
    select * from jsonb_populate_record(null::audit_event,
        p_row || jsonb_build_object('seq', v_seq,
                                    'prev_hash', '\x' || encode(v_prev, 'hex'),
                                    'record_hash', '\x' || encode(v_hash, 'hex')));
    update audit_chain_head set seq = v_seq, head_hash = v_hash where chain_id = 1;
    out_seq := v_seq;
    out_record_hash := v_hash;
    return next;
end $$;

-- Append-only, enforced by the database: no UPDATE, DELETE or TRUNCATE, also under
-- session_replication_role = replica (ENABLE ALWAYS).
create function audit_reject_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only: % rejected', tg_op using errcode = '42501';
end $$;
create trigger audit_event_no_update_delete before update or delete on audit_event
    for each row execute function audit_reject_change();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_reject_change();
alter table audit_event enable always trigger audit_event_no_update_delete;
alter table audit_event enable always trigger audit_event_no_truncate;

do $$
begin
    if exists (select 1 from pg_roles where rolname = '${appRole}') and current_user <> '${appRole}' then
        execute 'grant select, insert on audit_event to ${appRole}';
        execute 'grant select, update on audit_chain_head, audit_relay_state to ${appRole}';
        execute 'grant execute on function audit_append(jsonb, bytea) to ${appRole}';
    end if;
end $$;
