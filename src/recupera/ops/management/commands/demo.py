"""`recupera demo`: migrate the embedded database, load the demo portfolio, create one demo
user per role, print their credentials, start the task worker and serve on 127.0.0.1:8000."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from recupera.core.roles import DEMO_USERS, Role

DEMO_PASSWORD = "Recupera.2026"
DEMO_CREDITS = 300
DEMO_SEED = 2026


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def stop_worker(worker: subprocess.Popen, timeout: float = 10) -> None:  # type: ignore[type-arg]
    """Ask the task worker to finish (SIGTERM) and wait; kill it if it does not within `timeout`."""
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


WORKER_COMMAND = [sys.executable, "-m", "recupera", "worker", "--no-reload", "--verbosity", "0"]


def serve_with_worker(addrport: str, worker_command: list[str] = WORKER_COMMAND) -> None:
    """Start the task worker, serve until Ctrl+C or SIGTERM, then stop the worker. SIGTERM (kill,
    systemd, a closed terminal) ends the demo like Ctrl+C, through the `finally` (Python's
    default SIGTERM would end this process and leave the worker running)."""
    worker = subprocess.Popen(worker_command)
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        call_command("runserver", addrport, use_reloader=False)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_worker(worker)


@transaction.atomic
def ensure_demo_users(password: str = DEMO_PASSWORD) -> list[tuple[Role, str]]:
    User = get_user_model()
    created = []
    for role, (username, first, last) in DEMO_USERS.items():
        user, _ = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last},
        )
        user.set_password(password)
        user.is_active = True
        user.is_staff = role is Role.IT_ADMIN  # the Django admin is for IT (catalogs)
        user.save()
        user.groups.set([Group.objects.get(name=role.value)])
        created.append((role, username))
    return created


DEMO_MARK = "demo.base_de_datos"


def demo_database_refusal() -> str | None:
    """Why `recupera demo` must not touch this database, or None when it is the demo's.

    The demo resets the demo accounts' passwords to the published DEMO_PASSWORD, so it runs only
    on a database with no accounts yet (a new one) or one a previous `recupera demo` marked
    (an audit row DEMO_MARK). A database with other accounts and no mark is somebody's real
    system: the demo refuses before it migrates or writes anything."""
    from recupera.core.models import AuditEntry

    tables = set(connection.introspection.table_names())
    if "auth_user" not in tables:
        return None
    if not get_user_model().objects.exists():
        return None
    if "core_auditentry" in tables and AuditEntry.objects.filter(action=DEMO_MARK).exists():
        return None
    return ("Esta base de datos tiene cuentas de usuario y no es la de la demostración: "
            "«recupera demo» no restablece contraseñas en ella. Use una base de datos nueva "
            "(por ejemplo, quite DATABASE_URL para usar la base integrada) o otra carpeta "
            "RECUPERA_VAR_DIR.")


@transaction.atomic
def mark_demo_database() -> None:
    """Record (audited) that this database belongs to the demo."""
    from recupera.core.audit import audit_record
    from recupera.core.models import AuditEntry
    from recupera.core.services import business_date_get, business_date_set

    if AuditEntry.objects.filter(action=DEMO_MARK).exists():
        return
    row = business_date_set(actor=None, business_date=business_date_get())
    audit_record(actor=None, action=DEMO_MARK, obj=row,
                 after={"nota": "base de datos de la demostración"})


def _demo_collectors() -> list:  # type: ignore[type-arg]
    return list(get_user_model().objects.filter(groups__name=Role.COLLECTOR.value, is_active=True))


class Command(BaseCommand):
    help = "Prepara y arranca la demostración en http://127.0.0.1:8000"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--credits", type=int, default=DEMO_CREDITS,
                            help="créditos de la cartera de demostración (default %(default)s)")
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="prepara todo pero no arranca el servidor")

    def _assign_cases(self) -> None:
        """Open the cases of the overdue credits and hand them to the demo collector."""
        from recupera.collections.models import AssignmentRule
        from recupera.collections.services import assignment_rule_create
        from recupera.core.services import business_date_get

        if not AssignmentRule.objects.exists():
            assignment_rule_create(actor=None, name="Toda la cartera (demostración)",
                                   collectors=_demo_collectors(), order=100)
        call_command("collections_daily", date=business_date_get(), stdout=io.StringIO())

    def _portal_instructions(self) -> None:
        """How to sign in to the debtors' portal as the demo debtor (recupera.portal)."""
        from recupera.portal.demo import demo_debtor
        from recupera.portal.senders import sms_outbox_path

        debtor = demo_debtor()
        if debtor is None:
            return
        self.stdout.write(self.style.SUCCESS("Portal de deudores: http://127.0.0.1:8000/portal/"))
        self.stdout.write(f"  Entre con el folio {debtor.folio} o la CURP {debtor.curp} ({debtor.name}).")
        self.stdout.write(f"  El código de 6 dígitos se «envía» por SMS a {debtor.phone}: en la demostración")
        self.stdout.write(f"  se escribe en {sms_outbox_path()} (la última línea).")
        self.stdout.write("")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from recupera.core.services import business_date_get, business_date_set
        from recupera.credits.models import Credit

        refusal = demo_database_refusal()
        if refusal:
            raise CommandError(refusal)
        self.stdout.write("Preparando la base de datos…")
        call_command("migrate", interactive=False, verbosity=0)
        business_date_set(actor=None, business_date=business_date_get())
        mark_demo_database()
        if not Credit.objects.exists():
            self.stdout.write(f"Cargando la cartera de demostración ({opts['credits']} créditos)…")
            call_command("demo_data", credits=opts["credits"], seed=DEMO_SEED, verbosity=1)
        users = ensure_demo_users()
        self._assign_cases()
        from recupera.goals.demo import load_demo_goals

        self.stdout.write("Preparando metas y un mes de gestión de cobranza…")
        extra = load_demo_goals(as_of=business_date_get(), password=DEMO_PASSWORD)
        from recupera.privacy.demo import load_demo_privacy

        arco_folio = load_demo_privacy(as_of=business_date_get())
        if arco_folio:
            self.stdout.write(f"Solicitud ARCO pendiente para «datos»: {arco_folio} (Derechos ARCO)")
        from recupera.custody.demo import load_demo_custody

        archive = load_demo_custody(as_of=business_date_get())
        if archive:
            self.stdout.write(f"Archivo de resguardo para «archivo»: {archive['items']} documentos (Archivo)")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Usuarios de demostración (contraseña para todos: {DEMO_PASSWORD})"))
        from recupera.core.otp import requires_otp

        accounts = {u.username: u for u in get_user_model().objects.filter(
            username__in=[name for _, name in users])}
        for role, username in users:
            # Second factor: enrolment on first sign-in (QR code and secret on screen; README).
            mark = "  (dos pasos)" if requires_otp(accounts[username]) else ""
            self.stdout.write(f"  {username:<14} {role.value}{mark}")
        if extra:
            self.stdout.write(f"  {', '.join(extra)}  también {Role.COLLECTOR.value} (con metas del mes)")
        self.stdout.write("")
        self._portal_instructions()
        self.stdout.write(f"Fecha de operación: {business_date_get():%d/%m/%Y} · hora local {timezone.localtime():%H:%M}")
        if opts["no_serve"]:
            return
        self.stdout.write(self.style.SUCCESS(f"Abra http://{opts['addrport']}/ en su navegador. Ctrl+C para terminar."))
        serve_with_worker(opts["addrport"])
        self.stdout.write("Demostración detenida.")
