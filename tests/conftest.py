"""Shared fixtures: users per role, API clients."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from recupera.core.roles import Role


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs a second per user under load; tests that check hashing override this."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    """make_user(Role.COLLECTOR, username="gestor1") -> an active user in that role's group."""

    counter = {"n": 0}

    def _make(role: Role | None = None, *, username: str | None = None, password: str = "Clave-Segura-2026", **extra):
        from django.contrib.auth import get_user_model

        counter["n"] += 1
        name = username or f"u{counter['n']}_{(role.name.lower() if role else 'none')}"
        user = get_user_model().objects.create_user(username=name, password=password, **extra)
        if role is not None:
            user.groups.add(Group.objects.get(name=role.value))
        return user

    return _make


@pytest.fixture
def make_person(db):
    """make_person(first_name="Ana", last_name="López", second_last_name="Mendoza", *,
    birth_date=…, curp=None, phone=None, with_phone=False) -> a Person.

    The one person factory of the suite. The CURP is valid and unique (people.synthetic's
    build_curp; the birth date moves one day per person made), `search_name` is what the people
    services store, and a primary phone is added when `phone` is given or `with_phone` is true
    (`+52662` and seven digits of the person's number). Directories narrow the defaults by
    overriding this fixture (tests/collections: second surname Soto and a phone)."""
    import datetime as dt
    import itertools

    counter = itertools.count(1)

    def _make(first_name: str = "Ana", last_name: str = "López", second_last_name: str = "Mendoza", *,
              birth_date: dt.date = dt.date(1995, 5, 5), curp: str | None = None,
              phone: str | None = None, with_phone: bool = False, sex: str = "M"):
        from recupera.people.models import ContactPoint, Person
        from recupera.people.names import search_name
        from recupera.people.synthetic import build_curp

        n = next(counter)
        birth_date = birth_date + dt.timedelta(days=n)
        curp = curp or build_curp(first_name=first_name, last_name=last_name,
                                  second_last_name=second_last_name, birth_date=birth_date, sex=sex,
                                  state_code="SR", differentiator=str(n % 10))
        person = Person.objects.create(
            curp=curp, first_name=first_name, last_name=last_name, second_last_name=second_last_name,
            sex=sex, birth_date=birth_date,
            search_name=search_name(first_name, last_name, second_last_name))
        if phone or with_phone:
            phone = phone or f"+52662{n:07d}"
            ContactPoint.objects.create(person=person, kind="phone", value=phone, digits=phone[-10:],
                                        is_primary=True)
        return person

    return _make


@pytest.fixture
def collector(make_user):
    return make_user(Role.COLLECTOR, username="gestor1", first_name="Lucía")


@pytest.fixture
def supervisor(make_user):
    return make_user(Role.SUPERVISOR, username="jefe1")


@pytest.fixture
def portfolio_officer(make_user):
    return make_user(Role.PORTFOLIO_OFFICE, username="subdir1")


@pytest.fixture
def auditor(make_user):
    return make_user(Role.AUDITOR, username="auditor1")


@pytest.fixture
def it_admin(make_user):
    return make_user(Role.IT_ADMIN, username="ti1", is_staff=True)


def verify_second_factor(client, user):
    """Mark the client's session as having passed the second factor (core/otp.py) with a
    confirmed authenticator device of the user's, as /verificar/ does after a right code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="pruebas", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def client_for(client):
    """client_for(user) -> the Django test client signed in as user, with the second factor
    already given when the user's role needs it (client_for(user, verified=False): without)."""

    def _login(user, verified=True):
        from recupera.core.otp import requires_otp

        client.force_login(user, backend="recupera.core.predicates.AdminModelBackend")
        if verified and requires_otp(user):
            verify_second_factor(client, user)
        return client

    return _login


@pytest.fixture
def api_client_for():
    def _login(user=None):
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return _login


@pytest.fixture
def second_factor():
    """second_factor(client, user): give a signed-in client's session the second factor."""
    return verify_second_factor
