-- Composed with psycopg.sql: {name} and {owner} are Identifiers.
create database {name} with owner {owner} encoding 'UTF8' template template0
