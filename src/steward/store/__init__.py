"""Steward's own store: SQLAlchemy 2 engine and sessions, tables, Alembic migrations."""

from steward.store.db import Base, make_engine, make_sessionmaker, transaction

__all__ = ["Base", "make_engine", "make_sessionmaker", "transaction"]
