-- The server a benchmark ran against: version and the settings that shape its speed.
select
    version() as version,
    current_setting('shared_buffers') as shared_buffers,
    current_setting('work_mem') as work_mem,
    current_setting('effective_cache_size') as effective_cache_size,
    current_setting('max_parallel_workers_per_gather') as max_parallel_workers_per_gather,
    current_setting('random_page_cost') as random_page_cost,
    current_setting('synchronous_commit') as synchronous_commit,
    current_setting('fsync') as fsync,
    current_setting('jit') as jit
