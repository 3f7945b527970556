"""Settings from the environment.

DATABASE_URL   default: SQLite file var/recupera.sqlite3 (under the current directory)
DATABASE_OWNER_URL  PostgreSQL only, optional: the role that owns the tables (migrations)
SECRET_KEY     default: generated once into var/secret_key (never committed)
DEBUG          "1" to enable; off except in `recupera demo`
ALLOWED_HOSTS  comma separated; default localhost names
RECUPERA_VAR_DIR  where var/ lives (default ./var)
RECUPERA_PRODUCTION  "1": production (HTTPS only, Secure cookies, HSTS; DEBUG refused); with it
    SECRET_KEY and ALLOWED_HOSTS must be given. Optional: CSRF_TRUSTED_ORIGINS (comma separated),
    RECUPERA_BEHIND_PROXY=1 (trust X-Forwarded-Proto from the reverse proxy),
    SECURE_HSTS_SECONDS (default one year), SECURE_HSTS_PRELOAD (default 1).
RECUPERA_SESSION_IDLE_MINUTES  idle sign-out (default 30); RECUPERA_API_TOKEN_DAYS token life (30)
See docs/security.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("RECUPERA_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = _secret_key()
DEBUG = _flag("DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "recupera.core",
    "recupera.people",
    "recupera.credits",
    "recupera.payments",
    "recupera.collections",
    "recupera.agreements",
    "recupera.goals",
    "recupera.cob",
    "recupera.privacy",
    "recupera.custody",
    "recupera.legal",
    "recupera.portal",
    "recupera.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's SessionMiddleware with the portal's own cookie under /portal/ (portal/middleware.py)
    "recupera.portal.middleware.SplitSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "recupera.core.otp.OTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "recupera.core.security.IdleSessionTimeoutMiddleware",
    # After a password reset by IT, only the password change until the holder picks their own.
    "recupera.core.security.ForcedPasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Personal-data views of a request written in one insert at its end (core/dataaccess.py).
    "recupera.core.dataaccess.PersonalDataViewMiddleware",
]

ROOT_URLCONF = "recupera.urls"
WSGI_APPLICATION = "recupera.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recupera.core.context_processors.navigation",
            ],
        },
    },
]

# Django's form renderer, with the common widgets written in Python (the same HTML, faster).
FORM_RENDERER = "recupera.core.renderers.WidgetRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'recupera.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# PostgreSQL roles (docs/operations.md, «Database roles»): DATABASE_URL is the application's
# role (no superuser, owns no tables); DATABASE_OWNER_URL, when set, the role that owns the
# tables, used by `recupera migrate`, `db-roles`, `backup` and `restore` (its user, password,
# host and port; the database is DATABASE_URL's). Unset: everything uses DATABASE_URL.
DATABASE_OWNER = (dj_database_url.parse(os.environ["DATABASE_OWNER_URL"])
                  if os.environ.get("DATABASE_OWNER_URL") else None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "recupera.core.predicates.AdminModelBackend",  # ModelBackend; model permissions for staff only
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# At least 12 characters, not common, not all digits, not like and not containing the user's
# names (docs/security.md). The demo password «Recupera.2026» meets them.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "recupera.core.passwords.NamePartsValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The second factor (core/otp.py, docs/security.md): required for staff, superusers and these
# roles (names of core.roles.Role, comma separated in the environment): the roles that approve
# agreements, handle money or administer.
RECUPERA_OTP_ROLES = [
    name.strip() for name in os.environ.get(
        "RECUPERA_OTP_ROLES", "SUPERVISOR,PORTFOLIO_OFFICE,CASHIER,COMMITTEE,IT_ADMIN").split(",")
    if name.strip()
]
OTP_TOTP_ISSUER = "Recupera IBCEES"
# Wrong codes on /verificar/ within the window that end the session (sign in again).
OTP_FAILURE_LIMIT = 5
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Wrong current passwords on the password-change form: this many in the window lock the form.
PASSWORD_CHANGE_FAILURE_LIMIT = 5
PASSWORD_CHANGE_LOCK_MINUTES = 15
LOGOUT_REDIRECT_URL = "login"

# django-axes: 5 failed attempts lock a username *from one address* (Spanish page:
# core/lockout.html), so nobody can lock a colleague out from elsewhere. The wait doubles with
# each lockout of that username and address in a day (core.accounts.lockout_cooloff: 15, 30,
# 60 … minutes, at most a day); LOCKOUT_ALERT_AFTER lockouts of one username in a day raise an
# alert for the Jefe de Departamento and Administración TI (home page, admin).
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "recupera.core.accounts.lockout_cooloff"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_VERBOSE = False
LOCKOUT_BASE_MINUTES = 15
LOCKOUT_MAX_MINUTES = 24 * 60
LOCKOUT_ALERT_AFTER = 3

LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", "Español (México)")]
TIME_ZONE = "America/Hermosillo"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["recupera.core.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on a missing root; files come from finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the packages: no collectstatic step for the demo or the tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Files browsers ask for at the site's root (/favicon.ico).
WHITENOISE_ROOT = BASE_DIR / "core" / "public"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 10 * 60 * 60  # one working day at most
# Idle sign-out (core.security.IdleSessionTimeoutMiddleware) and API token life
# (core.security.ExpiringTokenAuthentication).
RECUPERA_SESSION_IDLE_MINUTES = int(os.environ.get("RECUPERA_SESSION_IDLE_MINUTES", "30"))
RECUPERA_API_TOKEN_DAYS = int(os.environ.get("RECUPERA_API_TOKEN_DAYS", "30"))
CSRF_COOKIE_HTTPONLY = False
# The debtors' portal (/portal/): its own session cookie, limits of sign-in and requests
# (portal.services.DEFAULT_LIMITS, overridable key by key in PORTAL_LIMITS) and the SMS sender
# of its one-time codes (the file sender writes to var/portal/sms.log). docs/portal.md.
PORTAL_SESSION_COOKIE_NAME = "recupera_portal"
PORTAL_LIMITS: dict[str, int] = {}
CSRF_FAILURE_VIEW = "recupera.portal.views.csrf_failure"  # the portal's own page under /portal/
PORTAL_SMS_BACKEND = os.environ.get("PORTAL_SMS_BACKEND", "recupera.portal.senders.FileSmsSender")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from Recupera
# itself; no inline scripts or event handlers anywhere (the pages use htmx attributes and
# static files). The API's browser docs loosen it for their own pages (urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Production: one switch (docs/security.md). `python -m recupera check --deploy` is clean with it
# (CI runs it).
PRODUCTION = _flag("RECUPERA_PRODUCTION")
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG=1 no se permite con RECUPERA_PRODUCTION=1.")
    if not os.environ.get("SECRET_KEY") or not os.environ.get("ALLOWED_HOSTS"):
        raise ImproperlyConfigured("En producción SECRET_KEY y ALLOWED_HOSTS son obligatorias.")
    SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", "1")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD", "1")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    if _flag("RECUPERA_BEHIND_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [
        o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
    ]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "recupera.core.security.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_USER_RATE", "6000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Recupera API",
    "DESCRIPTION": "API de Recupera (IBCEES). Importes como cadenas con dos decimales.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the interactive docs are for signed-in users (session or token) only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Named enums where two choice sets share a field name (check --deploy warns otherwise).
    "ENUM_NAME_OVERRIDES": {"CreditStatusEnum": "recupera.credits.models.Credit.Status",
                            "ActionChannelEnum": "recupera.collections.models.Channel",
                            "PaymentImportStatusEnum": "recupera.payments.models.PaymentImport.Status",
                            "CustodyItemStatusEnum": "recupera.custody.models.ItemStatus",
                            "CustodyItemKindEnum": "recupera.custody.models.Item.Kind",
                            "CustodyProgramEnum": "recupera.custody.models.Item.Program",
                            "CustodyMovementKindEnum": "recupera.custody.models.Movement.Kind",
                            "CustodyHolderKindEnum": "recupera.custody.models.HolderKind",
                            "CustodyLocationKindEnum": "recupera.custody.models.Location.Kind"},
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_traceback": {"()": "recupera.core.logs.NoTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "console_line": {"class": "logging.StreamHandler", "filters": ["no_traceback"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # A refused page (403) is routine, not a fault: one line in the console, no traceback.
    "loggers": {"django.security.PermissionDenied": {"handlers": ["console_line"], "propagate": False}},
}
