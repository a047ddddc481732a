-- FORCE ends the sessions still connected (tests that forgot to close a connection).
drop database if exists {name} with (force)
