"""Delivery of the portal's one-time codes. E-mail goes through Django's mail backends; SMS
through the class named by settings.PORTAL_SMS_BACKEND, any class with
`send(*, to: str, text: str) -> None` (an SMS gateway's client in production). The demo and
test backend, FileSmsSender, appends one JSON line per message to var/portal/sms.log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsSender(Protocol):
    def send(self, *, to: str, text: str) -> None: ...


def sms_outbox_path() -> Path:
    return Path(getattr(settings, "PORTAL_SMS_FILE", settings.VAR_DIR / "portal" / "sms.log"))


class FileSmsSender:
    """Writes each SMS as a JSON line {at, to, text} to sms_outbox_path()."""

    def send(self, *, to: str, text: str) -> None:
        path = sms_outbox_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "to": to, "text": text},
                          ensure_ascii=False)
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def sms_sender() -> SmsSender:
    backend: Any = import_string(getattr(settings, "PORTAL_SMS_BACKEND",
                                         "recupera.portal.senders.FileSmsSender"))
    return backend()


def last_sms_to(to: str) -> str | None:
    """The text of the last SMS the file sender wrote to `to` (the demo and the tests read the
    code from it)."""
    path = sms_outbox_path()
    if not path.exists():
        return None
    found = None
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if item.get("to") == to:
            found = item.get("text")
    return found


def send_code(*, kind: str, to: str, code: str, minutes: int) -> None:
    text = (f"IBCEES: su código para entrar al portal es {code}. Vence en {minutes} minutos. "
            "Nadie del Instituto se lo pedirá por teléfono.")
    if kind == "email":
        send_mail("Código para entrar al portal del IBCEES", text, None, [to])
    else:
        sms_sender().send(to=to, text=text)
