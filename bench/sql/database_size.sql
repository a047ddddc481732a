-- Size of the current database in bytes.
select pg_database_size(current_database()) as bytes
