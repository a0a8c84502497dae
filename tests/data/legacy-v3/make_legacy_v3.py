# ruff: noqa
# How db.sql.gz and export-all-*.gz were made: run against release e4c56d5 (schema 3), from
# a checkout of that commit: PYTHONPATH=. python make_legacy_v3.py OUT. Kept as the record of
# the fixture; it does not run against later releases.
"""Build a v3 (pre-redesign) database with edits, moves, removals and undo, and export it."""

import sys, json, itertools
from pathlib import Path
from datetime import datetime, timezone, timedelta
from imr_desk.samples.generator import generate_letters
from imr_desk.importer import import_paths
from imr_desk.storage import LetterStore
from imr_desk.session import ReviewSession
from imr_desk.export import export_dataset


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    pdfs = generate_letters(out / "letters", count=10, seed=7)
    ticks = itertools.count()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    clock = lambda: start + timedelta(seconds=next(ticks) * 7)
    db = out / "legacy.db"
    store = LetterStore.open(db, reviewer="alice", clock=clock)
    import_paths(store, pdfs, workers=1)
    rows = store.list_letters(limit=100, full=True)
    multi = [r for r in rows if len(r.current["items"]) >= 2]
    single = [r for r in rows if len(r.current["items"]) == 1]
    print(len(rows), "letters", len(multi), "multi", [len(r.current["items"]) for r in rows])

    def run(sha, op):
        if op.kind == "set":
            return store.set_field(
                sha, op.path, op.value, boxes=op.boxes, confidence=op.confidence, human=op.human
            )
        if op.kind == "add_item":
            prov = list(op.provenance) if op.provenance is not None else None
            return store.add_item(
                sha,
                index=op.index,
                item=op.item,
                provenance=prov,
                human=op.human_paths,
                origin=op.origin,
            )
        if op.kind == "remove_item":
            return store.remove_item(sha, op.index)
        return store.move_item(sha, op.index, op.new_index)

    def apply(session, change, direction="do"):
        ops = change.do if direction != "undo" else change.undo
        for op in ops:
            session.update(run(session.sha256, op))
        if direction == "do":
            session.done(change)

    def sess(row):
        return ReviewSession.from_row(store.get(row.sha256))

    # multi[0]: field edits, decision flip (outcome follows), verify
    s = sess(multi[0])
    apply(s, s.edit("letter.injury_date", "2015-01-02"))
    apply(
        s,
        s.edit(
            "items.0.decision",
            "overturned" if s.value("items.0.decision") == "upheld" else "upheld",
        ),
    )
    apply(
        s,
        s.edit(
            "items.1.category",
            "Programs" if s.value("items.1.category") != "Programs" else "Surgery",
        ),
    )
    store.set_status(s.sha256, "verified")
    # multi[1]: add item, fill, move it first, remove parser item 1, undo removal, verify
    s = sess(multi[1])
    apply(s, s.add_item())
    n = s.item_count() - 1
    apply(s, s.edit(f"items.{n}.treatment", "Acupuncture x6"))
    apply(s, s.edit(f"items.{n}.decision", "upheld"))
    apply(s, s.move_item(n, 0))
    apply(s, s.remove_item(2))
    apply(s, s.take_undo(), "undo")
    apply(s, s.move_item(1, 2))
    store.set_status(s.sha256, "verified")
    # multi[2]: remove item 0, undo, redo; flag with a note
    s = sess(multi[2])
    apply(s, s.remove_item(0))
    ch = s.take_undo()
    apply(s, ch, "undo")
    ch = s.take_redo()
    apply(s, ch, "redo")
    store.set_status(s.sha256, "flagged", note="item list looks short")
    # single[0]: edit then undo -> in_progress
    s = sess(single[0])
    apply(s, s.edit("letter.patient_age", "44"))
    apply(s, s.take_undo(), "undo")
    # single[1]: verify, then bob edits (reopens), outcome set by hand, verify again
    s = sess(single[1])
    store.set_status(s.sha256, "verified")
    store.reviewer = "bob"
    apply(s, s.edit("items.0.rationale", "The request is not medically necessary."))
    apply(s, s.edit("letter.diagnoses", ["lumbar strain", "knee pain"]))
    apply(s, s.edit("letter.outcome", "overturned"))
    apply(s, s.edit("items.0.decision", "overturned"))
    store.set_status(s.sha256, "verified")
    # single[2]: skipped
    store.set_status(multi[3].sha256, "skipped")
    store.reviewer = "alice"
    for fmt in ("verified", "all"):
        export_dataset(store, out / f"export-{fmt}", selection=fmt, now=lambda: start)
    store.close()
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(out / "legacy-v3.sql", "w") as fh:
        fh.write(f"PRAGMA user_version = {conn.execute('PRAGMA user_version').fetchone()[0]};\n")
        for line in conn.iterdump():
            fh.write(line + "\n")
    print(conn.execute("select count(*) from audit").fetchone())


if __name__ == "__main__":
    main()
