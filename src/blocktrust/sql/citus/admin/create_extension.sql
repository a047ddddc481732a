-- Citus in this database (every node's copy of a warehouse database needs it).
create extension if not exists citus
