"""People's answers to core's extension points (core/extensions.py), registered in
PeopleConfig.ready: the global search's people, and where the personal-data view log is
stored."""

from __future__ import annotations

from typing import Any

from recupera.core.predicates import scope_people
from recupera.people import selectors
from recupera.people.models import Person, PersonViewLog


def search_people(*, query: str, limit: int, user: Any) -> tuple[list[Person], bool, int]:
    """The people matching `query` that `user` may see (people.selectors.person_search, then
    the collector's scope in one query), whether the name search was capped, and the cap."""
    found = selectors.person_search(query=query, limit=limit)
    people = list(found)
    if people:
        allowed = set(scope_people(user, Person.objects.filter(pk__in=[p.pk for p in people]))
                      .values_list("pk", flat=True))
        people = [p for p in people if p.pk in allowed]
    return people, found.capped, selectors.NAME_SORT_MAX


def write_view_logs(*, user: Any, rows: list[tuple[int, str, str]]) -> None:
    """One insert of PersonViewLog rows; the username is kept as it was at the time."""
    user_id = user.pk if getattr(user, "pk", None) else None
    username = user.get_username() if user_id else ""
    PersonViewLog.objects.bulk_create(
        [PersonViewLog(user_id=user_id, username=username, person_id=pk, what=what, fields=fields)
         for pk, what, fields in rows], batch_size=1000)
