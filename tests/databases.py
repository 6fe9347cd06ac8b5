"""The test database's PostgreSQL server, for tests that start other processes or need a database of their own."""

import psycopg
from django.db import connection


def database_url(name=None):
    """A DATABASE_URL for the test database (by default) or another database `name` on its server."""
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name or settings['NAME']}"


def server_sql(statement):
    """A statement outside any transaction (CREATE DATABASE cannot run in one), on its own connection."""
    with psycopg.connect(database_url("postgres"), autocommit=True) as server:
        server.execute(statement)
