-- The runtime role registers signing keys (insert ... on conflict do nothing) and never changes one, but
-- V3 also granted it UPDATE on audit_signing_key. On the audit tables it keeps INSERT and SELECT only;
-- AppendOnlyTest lists every right it holds on them.
do $$
begin
    if exists (select 1 from pg_roles where rolname = '${appRole}') and current_user <> '${appRole}' then
        execute 'revoke update on audit_signing_key from ${appRole}';
    end if;
end $$;
