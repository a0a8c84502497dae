"""Regenerate docs/screenshot.png: the app on generated sample letters, as a reviewer sees it.

Run under a real X server for faithful fonts (``xvfb-run -s "-screen 0 1600x1000x24"
python scripts/screenshot.py``) or offscreen (``QT_QPA_PLATFORM=offscreen``). No real letters
are used, so the picture can be published.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer

from imr_desk.app import build_desk, make_application
from imr_desk.commands.demo import prepare_demo
from imr_desk.importer import import_paths
from imr_desk.ui.controller import ReviewController
from imr_desk.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]


def _settle(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--size", default="1440x900", help="window size WxH")
    parser.add_argument("--field", default="items.0.decision", help="field to focus")
    parser.add_argument("--dark", action="store_true", help="use the dark colour scheme")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    if args.dark:
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QApplication

        QApplication.instance() or QApplication(sys.argv[:1])
        QGuiApplication.styleHints().setColorScheme(Qt.ColorScheme.Dark)
    app = make_application(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="imr-desk-shot-") as tmp:
        folder = Path(tmp)
        db, _ = prepare_demo(folder, count=18, seed=2016)
        from imr_desk.storage import LetterStore

        with LetterStore.open(db, reviewer="demo") as store:
            import_paths(store, [folder / "letters"], workers=0)
        settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        desk = build_desk(db, settings=settings, reviewer="demo")
        window, review = desk.window, desk.review
        window.resize(width, height)
        window.show()
        review.open_first()
        _verify_some(review, 3)
        _open_layout(window, "B")
        _settle(300)
        window.form.focus_field(args.field)
        _settle(600)
        window.grab().save(args.out)
        print(f"wrote {args.out} ({width}x{height})")
        window.close()
    app.processEvents()
    return 0


def _open_layout(window: MainWindow, layout: str) -> None:
    """Show a letter of the given layout (the published-decision layout is the common one)."""
    model = window.queue.model
    for row in range(model.rowCount()):
        sha = model.sha_at(row)
        if (
            sha is not None
            and model.data(model.index(row, 3)) == layout
            and model.data(model.index(row, 1)) != "verified"
        ):
            window.queue.select_letter(sha)
            return


def _verify_some(review: ReviewController, count: int) -> None:
    """Verify a few letters so the queue shows a realistic mix of statuses."""
    for _ in range(count):
        if not review.verify_and_next():
            break


if __name__ == "__main__":
    sys.exit(main())
