"""Extension points: what `recupera.core` calls but a higher app provides.

`core` is the bottom layer of the apps and imports none of them (docs/architecture.md, "Layers";
tests/core/test_layers.py keeps it so). Where a core module needs an answer only an app can give
(a collector's open cases, a person search, the personal-data log's table), it declares a
:class:`Hook` here and calls it; the app that owns the answer registers its function from its
``AppConfig.ready``::

    # recupera/collections/apps.py
    def ready(self):
        from recupera.core import extensions
        from recupera.collections import selectors
        extensions.unread_messages.register(selectors.unread_messages_count)

Calling a hook nobody registered raises ImproperlyConfigured naming the hook and its owner
app, so a missing registration fails loudly on the first call instead of answering wrongly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class Hook:
    """One function slot, filled by exactly one app."""

    def __init__(self, name: str, *, owner: str, doc: str) -> None:
        self.name = name
        self.owner = owner
        self.__doc__ = doc
        self._fn: Callable[..., Any] | None = None

    def register(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        self._fn = fn
        return fn

    @property
    def registered(self) -> bool:
        return self._fn is not None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._fn is None:
            raise ImproperlyConfigured(
                f"Extension point {self.name!r} has no implementation: the {self.owner!r} app "
                f"registers it in its AppConfig.ready (recupera/core/extensions.py).")
        return self._fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name} ({self.owner})>"


# collections: a collector's reach is their open cases (core/predicates.py) -------------------
works_credit = Hook("works_credit", owner="collections", doc=(
    "works_credit(user=, credit=) -> bool: `user` has an open case on `credit`."))
works_person = Hook("works_person", owner="collections", doc=(
    "works_person(user=, person=) -> bool: `user` has an open case on a credit where `person` "
    "is the borrower or another party."))
restrict_credits = Hook("restrict_credits", owner="collections", doc=(
    "restrict_credits(user=, qs=) -> QuerySet: the credits of `qs` the user may list."))
restrict_people = Hook("restrict_people", owner="collections", doc=(
    "restrict_people(user=, qs=) -> QuerySet: the people of `qs` the user may list."))
unread_messages = Hook("unread_messages", owner="collections", doc=(
    "unread_messages(user=) -> int: messages for `user` not yet acknowledged (the menu badge)."))

# people and credits: the global search box (core/search.py) ---------------------------------
search_people = Hook("search_people", owner="people", doc=(
    "search_people(query=, limit=, user=) -> (people, capped, cap): the people matching "
    "`query` that `user` may see, at most `limit`; `capped` when more than `cap` matched by "
    "name and the list is the first in name order among `cap` of them."))
search_credits = Hook("search_credits", owner="credits", doc=(
    "search_credits(query=, limit=, user=) -> list: the credits matching `query` that `user` "
    "may see, at most `limit`."))

# people: where the personal-data view log is stored (core/dataaccess.py) --------------------
write_view_logs = Hook("write_view_logs", owner="people", doc=(
    "write_view_logs(user=, rows=) -> None: store rows (person id, what, fields) in one insert."))

# portal: what debtors asked from the portal, shown in the collectors' workbench ----------------
portal_requests_pending = Hook("portal_requests_pending", owner="portal", doc=(
    "portal_requests_pending(user=) -> int: requests from the debtors' portal (plans, call "
    "backs, questions) waiting for `user` (a supervisor: all of them)."))

# legal: the legal clock of the pagarés (legal/prescription.py, docs/legal.md) ----------------
note_clocks = Hook("note_clocks", owner="legal", doc=(
    "note_clocks(credit_ids) -> list[NoteClock]: the facts and prescription date of every "
    "pagaré in force of the credits."))
earliest_prescriptions = Hook("earliest_prescriptions", owner="legal", doc=(
    "earliest_prescriptions(credit_ids) -> {credit_id: date}: the earliest prescription among "
    "each credit's pagarés in force."))
credits_that_may_prescribe = Hook("credits_that_may_prescribe", owner="legal", doc=(
    "credits_that_may_prescribe(horizon) -> list[int]: a superset of the credits with a pagaré "
    "that prescribes by `horizon`."))
prescription_fact_sql = Hook("prescription_fact_sql", owner="legal", doc=(
    "prescription_fact_sql(credit_column) -> {fact: SQL}: the first unpaid due date, last "
    "payment and last signed agreement of the credit in `credit_column` (the SQL twin)."))
prescription_start_cutoff = Hook("prescription_start_cutoff", owner="legal", doc=(
    "prescription_start_cutoff(horizon) -> date: the latest term start that can prescribe by "
    "`horizon`."))
