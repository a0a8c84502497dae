"""The review database: the only package that imports sqlite-utils.

One SQLite file per project: each letter's parser record and human-corrected record, its
review status, and an audit row for every change (see docs/adr/0001-storage.md).
"""

from imr_desk.storage.errors import NoDatabaseError, SchemaTooNewError, StorageError
from imr_desk.storage.rows import LOW_CONFIDENCE, AuditEntry, LetterRow
from imr_desk.storage.schema import SCHEMA_VERSION, default_db_path
from imr_desk.storage.store import LetterStore, os_user

__all__ = [
    "LOW_CONFIDENCE",
    "SCHEMA_VERSION",
    "AuditEntry",
    "LetterRow",
    "LetterStore",
    "NoDatabaseError",
    "SchemaTooNewError",
    "StorageError",
    "default_db_path",
    "os_user",
]
