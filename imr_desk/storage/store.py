"""LetterStore: every read and write of the review database, each write one transaction.

A write reads the letter, changes its current record, writes it back and appends its audit
rows under one ``BEGIN IMMEDIATE`` ... ``COMMIT``, so an edit is saved whole or not at all,
and two programs on the same file never overwrite each other's edits.
"""

from __future__ import annotations

import getpass
import sqlite3
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from imr_desk.blind import blanked
from imr_desk.category_suggest import suggested_record
from imr_desk.edits import Edit, SetStatus, apply_edit
from imr_desk.record import Letter, Source
from imr_desk.storage import blind_sample
from imr_desk.storage.category_store import CategoryStore
from imr_desk.storage.checks import CheckStore
from imr_desk.storage.claims import ClaimStore
from imr_desk.storage.codec import dump_letter, dumps
from imr_desk.storage.engine import Announcements, Conn, Engine, is_server_target
from imr_desk.storage.errors import NoDatabaseError
from imr_desk.storage.queries import Clock
from imr_desk.storage.reviews import UNDER_REVIEW, ReviewStore
from imr_desk.storage.rows import (
    ROW_COLUMNS,
    LetterRow,
    new_letter_values,
)
from imr_desk.storage.schema import (
    check_schema,
    connect,
    create_private_file,
    default_db_path,
    make_private,
)
from imr_desk.storage.sqlite_engine import SqliteEngine


def os_user() -> str:
    """The reviewer's default name: the operating-system user."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


class LetterStore(ClaimStore, ReviewStore, CheckStore, CategoryStore):
    """The review database of one project of letters."""

    def __init__(self, engine: Engine, reviewer: str, clock: Clock) -> None:
        self._engine = engine
        self.reviewer = reviewer
        self._clock = clock
        self._held = set()

    @classmethod
    def open(
        cls,
        target: str | Path | None = None,
        *,
        reviewer: str | None = None,
        busy_timeout: float = 5.0,
        read_only: bool = False,
        create: bool = True,
        clock: Clock | None = None,
    ) -> LetterStore:
        """Open a project: a SQLite file (``target`` a path, the default project when None)
        or a team server (a ``postgresql://`` URL or libpq connection string; the reviewer is
        then the server's login, whatever ``reviewer`` says).

        A SQLite file is created owner-only if new (an existing one tightened to owner-only)
        and migrated; a newer schema or another program's database is refused untouched. Safe
        when several programs create the same new file at once: the later ones wait, then
        find it migrated. ``create=False`` is for commands that only read or report on a
        project: a mistyped path raises ``NoDatabaseError`` instead of silently creating an
        empty database.
        """
        clock = clock or (lambda: datetime.now().astimezone())
        if is_server_target(target):
            from imr_desk.storage.pg_engine import PgEngine

            engine = PgEngine.connect(str(target))
            return cls(engine, engine.login, clock)
        db_path = Path(target) if target is not None else default_db_path()
        if not create and not db_path.is_file():
            raise NoDatabaseError(f"no database at {db_path}")
        if not read_only:
            create_private_file(db_path)
        check_schema(db_path)
        if not read_only:
            make_private(db_path)  # before connect: SQLite gives new -wal/-shm files its mode
        db = connect(db_path, busy_timeout=busy_timeout, read_only=read_only)
        return cls(SqliteEngine(db, db_path), reviewer or os_user(), clock)

    @property
    def kind(self) -> str:
        """``sqlite`` (a desk's own file) or ``postgresql`` (a team server)."""
        return self._engine.kind

    @property
    def location(self) -> str:
        """Where the project is: the file's path, or the server's URL (never a password)."""
        return self._engine.location

    @property
    def target(self) -> str | Path:
        """What ``open`` takes to open this project again: the file's path, or the connection
        string as given (its location for messages may drop parts of it: a socket folder, a
        service's other settings, ``sslmode``)."""
        return self._engine.target

    @property
    def path(self) -> Path:
        """The SQLite file (ValueError for a project on a team server, which has none)."""
        if self._engine.path is None:
            raise ValueError(f"the project at {self.location} is on a server, not in a file")
        return self._engine.path

    def sqlite_connection(self) -> sqlite3.Connection:
        """The SQLite connection, for benchmarks that tune it (ValueError on a server)."""
        if not isinstance(self._engine, SqliteEngine):
            raise ValueError(f"the project at {self.location} is not a SQLite file")
        return self._engine.conn

    def changed_letters(self) -> Announcements | None:
        """Letters whose status or claims changed since the last call, on any desk, as the
        team server announced them (``LISTEN imr_desk``), without waiting; the first call
        starts listening. None for a SQLite file: there is nothing to listen to."""
        return self._engine.changed_letters()

    def close(self) -> None:
        """Give back the letters this desk claimed, then close the connection(s)."""
        try:
            self.release_held()
        finally:
            self._engine.close()

    def __enter__(self) -> LetterStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- letters -----------------------------------------------------------------------

    def add_letter(self, record: dict, *, source_path: str, parser_version: str) -> bool:
        """Store a parsed letter (parser JSON); False (nothing written) when its SHA-256 is
        already there."""
        record = suggested_record(record, self.category_model())
        letter = _parsed_letter(record, source_path)
        if not letter.source.sha256:
            raise ValueError("the record has no source.sha256")
        values = new_letter_values(
            record, letter, source_path=source_path, parser_version=parser_version, now=self._now()
        )
        with self._write() as conn:  # importers on several machines may race to add it
            added = conn.execute(
                f"INSERT INTO letters ({ROW_COLUMNS}, parsed_json, current_json) "
                f"VALUES ({', '.join('?' * len(values))}) ON CONFLICT (sha256) DO NOTHING",
                values,
            )
            return added.rowcount == 1

    def replace_parsed(self, record: dict, *, parser_version: str) -> bool:
        """Re-parse result for a letter nobody has touched; False (unchanged) if anyone has.
        Its items keep their ids (the parser gives the same ones to the same letter)."""
        sha256 = record["source"]["sha256"]
        record = suggested_record(record, self.category_model())
        with self._write() as conn:
            if self._holds(conn, sha256) or self._try_claim(conn, sha256) is not None:
                return False  # open on a desk (this login's too): that reviewer's to see first
            row = self._load(conn, sha256)  # claimed and locked: nobody changes it meanwhile
            self._release(conn, sha256)
            if not self._untouched(conn, sha256):
                return False
            letter = _parsed_letter(record, row.source_path)
            source = letter.source
            conn.execute(
                "UPDATE letters SET parsed_json = ?, current_json = ?, parser_version = ?, "
                "case_number = ?, outcome = ?, min_confidence = ?, layout = ?, pages = ?, "
                "needs_ocr = ?, updated_at = ? WHERE sha256 = ?",
                (
                    dumps(record),
                    dump_letter(letter),
                    parser_version,
                    letter.fields["case_number"].value,
                    letter.fields["outcome"].value,
                    letter.confidence(),
                    source.layout,
                    source.pages,
                    int(source.needs_ocr),
                    self._now(),
                    sha256,
                ),
            )
        return True

    def _untouched(self, conn: Conn, sha256: str) -> bool:
        status = conn.execute("SELECT status FROM letters WHERE sha256 = ?", (sha256,)).fetchone()
        if status is None or status[0] != "parsed":
            return False
        return (
            conn.execute("SELECT 1 FROM audit WHERE sha256 = ? LIMIT 1", (sha256,)).fetchone()
            is None
        )

    # --- edits -------------------------------------------------------------------------

    def apply(self, sha256: str, edit: Edit) -> tuple[LetterRow, Edit]:
        """Run an edit on the stored letter and persist the result with its audit rows, in
        one transaction; returns the row as stored and the edit that undoes it.

        The core (``edits.apply_edit``) decides what the edit means and refuses what it may
        not do (Verify of an invalid letter raises ``VerifyRefused``); nothing is written
        then. KeyError for an unknown letter or item."""
        with self._write() as conn:
            row, policy = self._load(conn, sha256), self._policy(conn)
            starts = blind_sample.starts_blind(row, policy.chooses_blind(sha256))
            if self._double(row, policy):
                saved, inverse = self._apply_review(conn, row, edit)
                if starts and _stage(conn, sha256) is not None:  # a review was written
                    blind_sample.mark(conn, row)
                return self._as_blind(saved, starts), inverse
            letter = blanked(row.full) if starts else row.full
            applied = apply_edit(letter, edit, reviewer=self.reviewer)
            if not applied.audit:
                return self._as_blind(replace(row, letter=letter), starts), applied.inverse
            now = self._now()  # one moment: the audit rows' and the letter's
            self._audit(conn, sha256, applied.audit, now)
            saved = self._save(conn, row, applied.letter, now)
            saved = blind_sample.mark(conn, saved) if starts else saved
        return self._as_blind(saved, starts), applied.inverse

    def get(self, sha256: str) -> LetterRow:
        """The full letter (parser's and current records) as this reviewer sees it: their
        own review while it is under double review; a letter of the blind sample blanked,
        without the parser's values (``blind_sample``). KeyError if absent. Read-only."""
        row = super().get(sha256)
        starts = blind_sample.starts_blind(row, self.policy().chooses_blind(sha256))
        if row.stage in UNDER_REVIEW:
            with self._engine.read() as conn:
                row = self._review_view(conn, row)
        elif starts:
            row = replace(row, letter=blanked(row.full))
        return self._as_blind(row, starts)

    def _as_seen(self, conn: Conn, rows: list[LetterRow]) -> list[LetterRow]:
        """Listed rows as this reviewer sees them (``LetterQueries._as_seen``), a blind
        letter's without the parser's values."""
        return blind_sample.listed(super()._as_seen(conn, rows), self._policy(conn))

    def _as_blind(self, row: LetterRow, starts: bool) -> LetterRow:
        """The row as a blind letter's reviewer may see it (see ``blind_sample``)."""
        return blind_sample.seen(row) if starts or blind_sample.marked(row) else row

    def set_status(self, sha256: str, status: str, *, note: str | None = None) -> LetterRow:
        """Change the review status (and note); Verify is refused for an invalid letter."""
        return self.apply(sha256, SetStatus(status, note))[0]


def _stage(conn: Conn, sha256: str) -> str | None:
    return conn.execute("SELECT stage FROM letters WHERE sha256 = ?", (sha256,)).fetchone()[0]


def _parsed_letter(record: dict, source_path: str) -> Letter:
    """The letter a parser record gives, its file name taken from the path when unnamed."""
    letter = Letter.from_parsed({**record, "status": "parsed"})
    if not letter.source.file_name:
        source: Source = replace(letter.source, file_name=Path(source_path).name)
        letter = replace(letter, source=source)
    return letter
