-- Appending a group-commit batch's audit records in one call.
--
-- audit_append (V5) locks the chain head, inserts one record and updates the head; a batch of N
-- records paid that N times, plus a round trip each. audit_append_batch links the records in the
-- order given, exactly as N calls of audit_append would (same seq, prev_hash, record_hash and a
-- chain_time that never decreases), locks and updates the head once, and returns one row per record
-- in that order. audit_append stays for single records.
create function audit_append_batch(p_rows jsonb[], p_content_hashes bytea[])
    returns table (out_seq bigint, out_record_hash bytea)
    language plpgsql security definer as $$
declare
    v_seq  bigint;
    v_prev bytea;
    v_time timestamptz;
    v_hash bytea;
    v_n    integer := coalesce(array_length(p_rows, 1), 0);
begin
    if v_n <> coalesce(array_length(p_content_hashes, 1), 0) then
        raise exception 'audit_append_batch: % rows but % content hashes', v_n,
            coalesce(array_length(p_content_hashes, 1), 0) using errcode = '22023';
    end if;
    if v_n = 0 then
        return;
    end if;
    select h.seq, h.head_hash, h.chain_time into v_seq, v_prev, v_time
      from audit_chain_head h where h.chain_id = 1 for update;
    for i in 1 .. v_n loop
        if p_content_hashes[i] is null or length(p_content_hashes[i]) <> 32 then
            raise exception 'audit_append_batch: content hash % is not a SHA-256', i using errcode = '22023';
        end if;
        v_seq := v_seq + 1;
        v_time := greatest(clock_timestamp(), v_time);
        v_hash := sha256(v_prev || int8send(v_seq) || p_content_hashes[i]);
        insert into audit_event
        select * from jsonb_populate_record(null::audit_event,
            p_rows[i] || jsonb_build_object('seq', v_seq,
                                            'prev_hash', '\x' || encode(v_prev, 'hex'),
                                            'record_hash', '\x' || encode(v_hash, 'hex'),
                                            'chain_time', v_time));
        out_seq := v_seq;
        out_record_hash := v_hash;
        return next;
        v_prev := v_hash;
    end loop;
    update audit_chain_head set seq = v_seq, head_hash = v_prev, chain_time = v_time where chain_id = 1;
end $$;

revoke all on function audit_append_batch(jsonb[], bytea[]) from public;

do $$
begin
    if exists (select 1 from pg_roles where rolname = '${appRole}') and current_user <> '${appRole}' then
        execute 'grant execute on function audit_append_batch(jsonb[], bytea[]) to ${appRole}';
    end if;
end $$;
