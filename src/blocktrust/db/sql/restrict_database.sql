-- Only the owning role (and superusers) may connect to a service's private database.
revoke all on database {name} from public
