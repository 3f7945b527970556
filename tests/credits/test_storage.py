"""How credit rows are stored (PostgreSQL storage parameters set by migrations)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_credit_pages_keep_room_for_updates_that_touch_no_index():
    """credits/0011: fillfactor 85, so the close's and the replays' rewrites of a credit row
    can stay on its page (HOT) instead of adding an entry to each of the table's indexes."""
    if connection.vendor != "postgresql":
        pytest.skip("fillfactor is a PostgreSQL storage parameter")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'credits_credit'::regclass")
        assert "fillfactor=85" in (cursor.fetchone()[0] or [])
