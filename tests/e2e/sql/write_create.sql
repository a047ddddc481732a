create table marts.analyst_was_here (id int)
