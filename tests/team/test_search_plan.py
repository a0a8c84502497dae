"""The queue's case-number search on a team server: the planner knows a rare case number is
rare, as a reviewer too.

Under a reviewer's row security PostgreSQL may not use a column's statistics for a pattern
match (ILIKE is not leakproof), so it guessed that a rare case number matched many letters
and, at 100,000 letters, walked every one in id order (about 150 ms) instead of asking the
trigram index. The search goes through the view ``letter_search``, read as its owner, so the
statistics count. The planner's estimate is checked, not a time.
"""

from __future__ import annotations

import re

import psycopg
import pytest

from imr_desk.bench_team_load import bulk_rows
from imr_desk.storage import LetterStore, pg_bench
from imr_desk.storage.rows import ROW_COLUMNS, filter_sql
from tests.conftest import TeamProject
from tests.unit.fake_letters import fake_record

pytestmark = pytest.mark.postgres


def test_a_reviewers_search_for_a_rare_case_number_is_planned_as_rare(
    team_project: TeamProject,
) -> None:
    pg_bench.bulk_letters(  # case numbers CM17-0000000 ... CM17-0002999, statistics taken
        team_project.admin_url, bulk_rows([fake_record(1)], 3000, ("parsed",))
    )
    with LetterStore.open(team_project.url("alice")) as store:
        found = store.list_letters(search="1234")
        engine = store._engine
    where, params = filter_sql(search="1234", like=engine.like, source=engine.search_source)
    query = f"EXPLAIN SELECT {ROW_COLUMNS} FROM letters{where} ORDER BY id LIMIT 100 OFFSET 0"

    with psycopg.connect(team_project.url("alice")) as conn:
        plan = [line for (line,) in conn.execute(query.replace("?", "%s"), params)]

    assert [row.case_number for row in found] == ["CM17-0001234"]
    matches = [line for line in plan if "Bitmap Heap Scan" in line]
    assert matches, "\n".join(plan)  # the trigram index finds the candidates
    assert int(re.findall(r"rows=(\d+)", matches[0])[0]) <= 5, "\n".join(plan)
