-- Nodes in the coordinator's metadata (group 0 is the coordinator).
select nodename, nodeport, groupid, isactive, shouldhaveshards
from pg_catalog.pg_dist_node
order by groupid
