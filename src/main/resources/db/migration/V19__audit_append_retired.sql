-- The single-record append of V2/V5 goes: records reach the log only through the inbox (V17, V18).
--
-- Nothing in the hub has called audit_append since the inbox came in, yet the runtime role could still
-- execute it: a second way into the chain, with the owner's rights, that no test of the running hub
-- exercised. V17 dropped the batch append for the same reason. The owner's sequencing function is now the
-- only SECURITY DEFINER path by which anything reaches audit_event (AppendOnlyTest lists the functions the
-- runtime role may execute with the owner's rights).
drop function audit_append(jsonb, bytea);
