"""The project's learned category model, kept in the ``settings`` table.

The model is rebuilt from the verified letters whenever they have changed, judged by their
count and latest ``verified_at`` (every verification stamps a later time; a letter leaving
``verified`` lowers the count), and the rebuilt model is written back under one settings key.
So it is current after every verification by any path (single or double review) without a
hook in each, and costs one small query while nothing has changed.
"""

from __future__ import annotations

import json
from typing import Any

from imr_desk.category_model import CategoryModel
from imr_desk.storage.base import StoreBase
from imr_desk.storage.engine import Conn
from imr_desk.storage.errors import StorageError

MODEL_KEY = "category_model"


class CategoryStore(StoreBase):
    """``LetterStore``'s category model (mixin: uses its connection, path and letters)."""

    _category_memo: tuple[list[Any], CategoryModel] | None = None

    def category_model(self) -> CategoryModel:
        """The model learned from every verified letter's items, current as of now."""
        with self._engine.read() as conn:
            basis = list(
                conn.execute(
                    "SELECT count(*), max(verified_at) FROM letters WHERE status = 'verified'"
                ).fetchone()
            )
            if self._category_memo is not None and self._category_memo[0] == basis:
                return self._category_memo[1]
            model = _stored_model(conn, basis)
        if model is None:
            model = self._rebuilt_model(basis)
        self._category_memo = (basis, model)
        return model

    def _rebuilt_model(self, basis: list[Any]) -> CategoryModel:
        """Learn from the verified letters and save the model (unless the file is read-only)."""
        model = CategoryModel().learn(
            (item.value("treatment"), _cited(item), item.value("category"))
            for row in self.iter_letters(status="verified")
            for item in row.full.items
        )
        value = json.dumps({"basis": basis, "model": json.loads(model.to_json())})
        try:
            with self._write() as writing:
                writing.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (MODEL_KEY, value),
                )
        except StorageError:
            pass  # read-only or busy: the model is still right, only not cached on disk
        return model


def _stored_model(conn: Conn, basis: list[Any]) -> CategoryModel | None:
    """The model written for exactly these verified letters, if any."""
    found = conn.execute("SELECT value FROM settings WHERE key = ?", (MODEL_KEY,)).fetchone()
    if found is None:
        return None
    try:
        saved = json.loads(found[0])
        if saved.get("basis") != basis:
            return None
        return CategoryModel.from_json(json.dumps(saved["model"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # an unreadable model is rebuilt, never trusted


def _cited(item: Any) -> Any:
    return item.value("maximus_guideline") or item.value("claims_administrator_guideline")
