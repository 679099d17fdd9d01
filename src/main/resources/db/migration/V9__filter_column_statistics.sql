-- Finer statistics on the columns SCIM filters narrow by (see docs/decisions/0010-filters-in-sql.md).
--
-- A filtered list is "where <filter> order by created, id limit N". When the planner expects many
-- matches it walks the (created, id) index and stops after N, which is right for a broad filter and
-- reads the whole table for a narrow one. With the default 100 histogram buckets, a prefix such as
-- userName sw "jdoe-3074" on 100,000 users was estimated at 913 rows instead of 11: the walk read all
-- 100,000 rows (60-160 ms) where a bitmap scan and a sort of 11 rows take well under 1 ms. With 1,000
-- buckets the estimate stays within a bucket of 100 rows, and the planner sorts the few matches.
alter table scim_user alter column user_name_lc set statistics 1000;
alter table scim_user alter column external_id set statistics 1000;
alter index scim_user_display_name_lc_ix alter column 1 set statistics 1000;
alter index scim_user_display_name_lc_pattern_ix alter column 1 set statistics 1000;
alter index scim_user_display_name_lc_sort_ix alter column 1 set statistics 1000;
alter table scim_group alter column external_id set statistics 1000;
alter index scim_group_display_name_lc_ix alter column 1 set statistics 1000;
alter index scim_group_display_name_lc_pattern_ix alter column 1 set statistics 1000;
alter index scim_group_display_name_lc_sort_ix alter column 1 set statistics 1000;

-- A directory already loaded gets the finer statistics now rather than at its next autovacuum. An empty
-- table is left never analysed, so that row estimates keep counting it until it has rows.
do $$
begin
    if exists (select 1 from scim_user) then
        analyze scim_user;
    end if;
    if exists (select 1 from scim_group) then
        analyze scim_group;
    end if;
end $$;
