"""The store's ``?`` statements as psycopg takes them (no server needed)."""

from imr_desk.storage.pg_engine import pg_sql


def test_parameters_become_psycopg_placeholders() -> None:
    assert pg_sql("SELECT a FROM t WHERE b = ? AND c > ?") == (
        "SELECT a FROM t WHERE b = %s AND c > %s"
    )


def test_a_question_mark_inside_a_literal_stays_text() -> None:
    assert pg_sql("SELECT 'why?', ? FROM t WHERE x = 'it''s?'") == (
        "SELECT 'why?', %s FROM t WHERE x = 'it''s?'"
    )


def test_a_literal_percent_is_doubled_for_psycopg() -> None:
    assert pg_sql("SELECT '50%' WHERE x LIKE ? ESCAPE '\\'") == (
        "SELECT '50%%' WHERE x LIKE %s ESCAPE '\\'"
    )
