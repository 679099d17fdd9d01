-- Signed checkpoints over the audit chain, the public keys that verify them, and verification runs.

create table audit_signing_key (
    key_id       text primary key,
    algorithm    text        not null,
    public_key   bytea       not null,   -- X.509 SubjectPublicKeyInfo (DER)
    created_at   timestamptz not null,
    retired_at   timestamptz
);

-- A checkpoint commits to the first tree_size records: RFC 6962 Merkle root over their record_hash
-- values and the chain head hash at that size, signed with the key key_id.
create table audit_checkpoint (
    tree_size    bigint primary key,
    root_hash    bytea       not null,
    head_hash    bytea       not null,
    created_at   timestamptz not null,
    key_id       text        not null references audit_signing_key (key_id),
    signature    bytea       not null,
    payload      text        not null,
    -- The tree's right edge at this size (height:hash,…), so the checkpointer resumes without
    -- re-reading every record. Not trusted by the verifier, which recomputes everything.
    frontier     text        not null
);

create trigger audit_checkpoint_no_update_delete before update or delete on audit_checkpoint
    for each row execute function audit_reject_change();
create trigger audit_checkpoint_no_truncate before truncate on audit_checkpoint
    for each statement execute function audit_reject_change();
alter table audit_checkpoint enable always trigger audit_checkpoint_no_update_delete;
alter table audit_checkpoint enable always trigger audit_checkpoint_no_truncate;

create table audit_verification (
    id          bigserial primary key,
    checked_at  timestamptz not null,
    status      text        not null,
    checked     bigint      not null,
    first_seq   bigint,
    last_seq    bigint,
    findings    jsonb       not null,
    source      text        not null
);

insert into audit_relay_state (relay, last_seq, updated_time) values ('kafka-checkpoints', 0, now());

create index audit_event_recorded_time_ix on audit_event (recorded_time);

do $$
begin
    if exists (select 1 from pg_roles where rolname = '${appRole}') and current_user <> '${appRole}' then
        execute 'grant select, insert on audit_checkpoint to ${appRole}';
        execute 'grant select, insert, update on audit_signing_key to ${appRole}';
        execute 'grant select, insert on audit_verification to ${appRole}';
        execute 'grant usage on sequence audit_verification_id_seq to ${appRole}';
    end if;
end $$;
