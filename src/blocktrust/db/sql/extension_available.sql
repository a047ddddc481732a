-- Is an extension installable in this cluster? Parameter: name.
select exists (select 1 from pg_catalog.pg_available_extensions where name = %(name)s)
