"""Tests of the multi-unit server (jixiao server), on SQLite and PostgreSQL."""
