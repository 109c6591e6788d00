"""The database as the last wall: per-person logins, grants, row security, append-only audit.

``catalog`` says what the role matrix means for each table; ``postgres`` and ``mssql`` render
that for their engine; ``principals`` keeps database logins in step with the users table.
No Qt here, and no services: services call in (a changed role re-grants, a new user gets
a login) through the functions of ``principals``.
"""
