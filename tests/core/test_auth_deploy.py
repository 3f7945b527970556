"""Issue 21, item 8: production settings from the environment, Content-Security-Policy, Spanish
error pages in the application's shell, idle sign-out and API token expiry."""

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from recupera.core.roles import Role

SRC = Path(__file__).resolve().parents[2] / "src" / "recupera"


def _production_env(**extra):
    env = dict(os.environ, RECUPERA_PRODUCTION="1", ALLOWED_HOSTS="recupera.ibcees.example",
               SECRET_KEY=secrets.token_urlsafe(64))
    env.pop("DEBUG", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # set by the browser tests' conftest in this process; never in a deployment (async.E001)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_the_production_switch(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "recupera", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(RECUPERA_VAR_DIR=str(tmp_path)), capture_output=True, text=True,
        timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_https_only(tmp_path):
    code = ("from django.conf import settings as s; import django; django.setup(); "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
            "s.SECURE_HSTS_SECONDS, s.DEBUG)")
    env = _production_env(RECUPERA_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="recupera.settings")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.split() == ["True", "True", "True", "31536000", "False"], out.stderr
    env["DEBUG"] = "1"
    refused = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode != 0 and "DEBUG=1 no se permite" in refused.stderr


def test_pages_carry_a_content_security_policy_without_inline_scripts(client_for, make_user):
    response = client_for(make_user(Role.COLLECTOR)).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in SRC.rglob("templates/**/*.html"):
        if "/pdf/" in str(path):  # WeasyPrint documents, never served to a browser
            continue
        html = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", html):
            offenders.append(f"{path.relative_to(SRC)}: {match.group(0)}")
        for match in re.finditer(r"\son(click|change|submit|load|input|keyup|keydown)=", html):
            offenders.append(f"{path.relative_to(SRC)}: {match.group(0)}")
    assert offenders == []


def test_404_is_spanish_in_the_shell(client_for, make_user):
    response = client_for(make_user(Role.COLLECTOR)).get("/no-existe/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "No encontramos esta página" in html and 'class="mainnav"' in html
    assert "Not Found" not in html


def test_403_is_spanish_in_the_shell(client_for, make_user):
    response = client_for(make_user(None)).get(reverse("audit:list"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "No tiene permiso para ver esta página" in html and 'class="topbar"' in html
    assert "Forbidden" not in html


def test_500_and_csrf_pages_are_spanish(rf, client, make_user):
    from django.views.csrf import csrf_failure
    from django.views.defaults import server_error

    html = server_error(rf.get("/")).content.decode()
    assert "Ocurrió un error en el sistema" in html and "Server Error" not in html
    html = csrf_failure(rf.post("/"), reason="x").content.decode()
    assert "El formulario venció" in html


def test_an_idle_session_ends(client_for, make_user):
    from recupera.core.security import LAST_ACTIVITY

    client = client_for(make_user(Role.COLLECTOR))
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "Su sesión se cerró por inactividad" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_an_active_session_stays(client_for, make_user):
    from recupera.core.security import LAST_ACTIVITY

    client = client_for(make_user(Role.COLLECTOR))
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - 29 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert client.session[LAST_ACTIVITY] >= int(time.time()) - 5  # the stamp moved


def test_api_tokens_expire(make_user):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=make_user(Role.AUDITOR))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/credits/").status_code == 200
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=31))
    response = api.get("/api/v1/credits/")
    assert response.status_code in (401, 403)
    assert "El token de la API venció" in response.json()["detail"]


@pytest.mark.parametrize("name", ["api-v1:docs", "api-v1:redoc"])
def test_api_docs_work_under_the_policy(client_for, make_user, name):
    response = client_for(make_user(Role.AUDITOR)).get(reverse(name))
    assert response.status_code == 200
    if name == "api-v1:docs":
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode()) is None
