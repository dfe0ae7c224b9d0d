"""Reference licence server: FastAPI + SQLAlchemy 2 + Alembic."""
