-- Run by the cluster superuser in the warehouse database after the roles exist.
-- owner: builds raw tables and dbt marts; loader: writes raw; analyst: reads marts, nothing else.
create schema if not exists raw authorization blocktrust_owner;
create schema if not exists marts authorization blocktrust_owner;
grant usage on schema raw to blocktrust_loader;
alter default privileges for role blocktrust_owner in schema raw
    grant select, insert, update, delete on tables to blocktrust_loader;
alter default privileges for role blocktrust_owner in schema raw
    grant usage, select on sequences to blocktrust_loader;
grant usage on schema marts to blocktrust_analyst;
alter default privileges for role blocktrust_owner in schema marts
    grant select on tables to blocktrust_analyst;
alter role blocktrust_analyst set default_transaction_read_only = on;
alter role blocktrust_analyst set statement_timeout = '60s';
