from __future__ import annotations

import pytest

from recupera.people.synthetic import build_curp


@pytest.fixture
def person_factory(db, make_user):
    """person_factory(first_name=..., ...) -> (person, warnings) through the service."""
    from recupera.people.services import person_create

    actor = make_user(None, username="alta")
    counter = {"n": 0}

    def _make(**kwargs):
        import datetime as dt

        counter["n"] += 1
        first = kwargs.pop("first_name", "Ana")
        last = kwargs.pop("last_name", "Valenzuela")
        second = kwargs.pop("second_last_name", "Romero")
        birth = dt.date(1990, 1, 1) + dt.timedelta(days=counter["n"])
        curp = kwargs.pop("curp", None) or build_curp(
            first_name=first, last_name=last, second_last_name=second, birth_date=birth,
            sex="M", state_code="SR", differentiator=str(counter["n"] % 10))
        return person_create(actor=kwargs.pop("actor", actor), curp=curp, first_name=first,
                             last_name=last, second_last_name=second, **kwargs)

    return _make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow by design; these tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
