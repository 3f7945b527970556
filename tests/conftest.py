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


@pytest.fixture
def client_for(client):
    """client_for(user) -> the Django test client signed in as user."""

    def _login(user):
        client.force_login(user, backend="recupera.core.predicates.AdminModelBackend")
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
