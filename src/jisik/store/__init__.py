"""The system of record: documents, versions, chunks and reader groups (SQLAlchemy)."""
