-- Which of the marts the marts suite reads exist (the suite is skipped until dbt built them).
select
    to_regclass('marts.dim_address_totals') is not null as has_address_totals,
    to_regclass('marts.fct_address_flows') is not null as has_address_flows
