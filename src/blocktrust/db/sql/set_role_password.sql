-- Keeps an existing role's password in step with secrets.json (composed like create_login_role).
alter role {role} with login password {password}
