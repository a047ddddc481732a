-- Raw tables: one row per record of the lake, loaded per UTC day (block_date).
-- Partitioned by block month so that replacing one day touches one partition.
-- Keys include block identity because txids repeat in history (BIP30).
create schema if not exists raw;

create table if not exists raw.blocks (
    block_date date not null,
    block_number bigint not null,
    block_hash char(64) not null,
    previous_block_hash char(64),
    block_timestamp timestamptz not null,
    size integer not null,
    stripped_size integer,
    weight integer,
    version bigint not null,
    merkle_root char(64) not null,
    nonce text not null,
    bits text not null,
    coinbase_param text,
    transaction_count integer not null,
    primary key (block_date, block_hash)
) partition by range (block_date);

create table if not exists raw.transactions (
    block_date date not null,
    transaction_hash char(64) not null,
    block_number bigint not null,
    block_hash char(64) not null,
    block_timestamp timestamptz not null,
    transaction_index integer not null,
    is_coinbase boolean not null,
    size integer not null,
    virtual_size integer not null,
    version bigint not null,
    lock_time bigint not null,
    input_count integer not null,
    output_count integer not null,
    input_value_sats bigint,
    output_value_sats bigint not null,
    fee_sats bigint,
    primary key (block_date, block_hash, transaction_hash)
) partition by range (block_date);

create table if not exists raw.inputs (
    block_date date not null,
    transaction_hash char(64) not null,
    block_number bigint not null,
    block_hash char(64) not null,
    input_index integer not null,
    spent_transaction_hash char(64),
    spent_output_index bigint,
    script_type text,
    addresses text[],
    value_sats bigint,
    sequence bigint not null,
    required_signatures integer,
    script_hex text,
    primary key (block_date, block_hash, transaction_hash, input_index)
) partition by range (block_date);

create table if not exists raw.outputs (
    block_date date not null,
    transaction_hash char(64) not null,
    block_number bigint not null,
    block_hash char(64) not null,
    output_index integer not null,
    script_type text not null,
    addresses text[],
    value_sats bigint not null,
    required_signatures integer,
    script_hex text,
    primary key (block_date, block_hash, transaction_hash, output_index)
) partition by range (block_date);

create table if not exists raw.prices_btc_usd_daily (
    price_date date primary key,
    close_usd numeric(20, 8) not null,
    is_filled boolean not null default false,
    source text not null,
    loaded_at timestamptz not null default now()
);

create table if not exists raw.address_tags (
    address text not null,
    label text not null,
    category text,
    source text,
    tagpack text not null,
    loaded_at timestamptz not null default now(),
    primary key (tagpack, address, label)
);

create table if not exists raw.load_audit (
    load_id bigserial primary key,
    block_date date not null,
    lake_url text not null,
    lake_format text not null,
    files jsonb not null,
    row_counts jsonb not null,
    checksums jsonb not null,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    duration_s double precision not null,
    status text not null
);
