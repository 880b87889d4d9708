"""The server's routes, one module per page group: auth (login, logout, the account
page), units (home and a unit's projects and versions), admin (accounts, audit log).
Every route names its roles with one dependency of access.py."""
