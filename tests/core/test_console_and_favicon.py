"""The demo's console and the browser's tab: a refused page (403) is one line in the console,
not a traceback; /favicon.ico is Recupera's icon."""

from __future__ import annotations

import logging
import sys

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse


def test_a_403_is_logged_as_one_line_without_traceback():
    logger = logging.getLogger("django.security.PermissionDenied")
    assert logger.handlers and not logger.propagate
    handler = logger.handlers[0]
    try:
        raise PermissionDenied("no")
    except PermissionDenied:
        record = logger.makeRecord(logger.name, logging.WARNING, __file__, 1,
                                   "Forbidden (Permission denied): %s", ("/cierre/",), sys.exc_info())
    assert handler.filter(record)
    assert handler.format(record) == "Forbidden (Permission denied): /cierre/"


@pytest.mark.django_db
def test_403_page_is_spanish_and_in_the_shell(client_for, collector):
    response = client_for(collector).get(reverse("cob:runs"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "No tiene permiso para ver esta página" in html and 'class="mainnav"' in html


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == b"\x00\x00\x01\x00"
