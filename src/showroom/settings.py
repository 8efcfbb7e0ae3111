"""One settings module, driven by environment variables (see README)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from platformdirs import user_data_dir

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


# Everything a laptop install keeps (SQLite file, generated secret key) lives here.
DATA_DIR = Path(os.environ.get("SHOWROOM_DATA_DIR") or user_data_dir("showroom", appauthor=False))


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # Generated once and kept, so that sessions survive a restart.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
# A refused form says what to do, in the app's layout and language.
CSRF_FAILURE_VIEW = "showroom.organization.views.csrf_failure"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    # Ours first, so that our registration/ templates win over the admin's.
    "showroom",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves its Swagger UI locally instead of from a CDN
    "simple_history",
    "axes",
    "csp",
    "showroom.organization",
    "showroom.customers",
    "showroom.traffic",
    "showroom.sales",
    "showroom.owners",
    "showroom.kpi",
    "showroom.targets",
    "showroom.crm",
    "showroom.notices",
    "showroom.reports",
    "showroom.exchange",
    "showroom.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "showroom.organization.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "showroom.core.writes.OwnWritesMiddleware",
    "showroom.organization.middleware.ScreenPermissionMiddleware",
    "showroom.organization.middleware.PasswordResetMiddleware",
    "showroom.organization.middleware.NulCharacterMiddleware",
    "showroom.organization.middleware.BusyDatabaseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "showroom.organization.middleware.IdleLogoutMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]
if os.environ.get("DATABASE_REPLICA_URL"):
    # After every other middleware: it runs the view itself inside the replica's reads.
    MIDDLEWARE.append("showroom.core.replicas.ReplicaReadsMiddleware")

ROOT_URLCONF = "showroom.urls"
WSGI_APPLICATION = "showroom.wsgi.application"

# Form widgets are rendered with Django's own Jinja2 templates of them: the same HTML, at a
# fraction of the Django template engine's cost for a page of forms (the front desk's).
FORM_RENDERER = "django.forms.renderers.Jinja2"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "showroom.organization.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'showroom.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
PG_OPTIONS = "-c jit=off -c random_page_cost=" + os.environ.get("PG_RANDOM_PAGE_COST", "1.1")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the front desk write while a manager reads a report.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reports are many small index lookups whose summed cost estimate sets off the JIT compiler:
    # it spent 1.4 s compiling a store-month KPI query that runs in 0.15 s (docs/scaling.md).
    # A random read costs about what a sequential one does on an SSD or from memory, not 4×
    # (PostgreSQL's default, for spinning disks): with 4, the export's carried activities were
    # hash-joined against a full scan of every store's activities (docs/scaling.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", PG_OPTIONS)
    # DB_POOL_SIZE=N: Django's connection pool (psycopg_pool), up to N connections per process,
    # instead of a connection opened per request (DB_CONN_MAX_AGE, which a pool replaces).
    if pool_size := int(os.environ.get("DB_POOL_SIZE", "0")):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": min(2, pool_size),
            "max_size": pool_size,
            "timeout": 10,
        }

# SQLite builds the owner spans' covering index without its included column (PostgreSQL's
# index-only read of the kind): nothing to warn a dealer about on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# The KPIs of many stores run their table families' queries this many at a time, each on a
# connection of its own (PostgreSQL; 1: one after the other). Two for two cores.
SHOWROOM_KPI_THREADS = int(os.environ.get("SHOWROOM_KPI_THREADS", "2"))

# REDIS_URL: one cache for every process (the KPIs of past periods, kpi.freshness); without
# it each process keeps its own in memory.
if REDIS_URL := os.environ.get("REDIS_URL", ""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "showroom"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A PostgreSQL streaming replica for the report screens (docs/scaling.md): reads of the screens
# named below go to it, except for a user who has just written (showroom.core.replicas).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("options", PG_OPTIONS)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["showroom.core.replicas.ReplicaRouter"]
SHOWROOM_REPLICA_SCREENS = tuple(
    os.environ.get(
        "SHOWROOM_REPLICA_SCREENS",
        "kpi:,reports:,crm:report,crm:channels,crm:profiles,crm:intent_stats,"
        "crm:survey_results,targets:index,api:values",
    ).split(",")
)
SHOWROOM_REPLICA_PIN_SECONDS = int(os.environ.get("SHOWROOM_REPLICA_PIN_SECONDS", "30"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organization.Staff"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # Refuses a login, even with the right password, while the account or address is locked.
    "axes.backends.AxesStandaloneBackend",
    "showroom.organization.backends.StaffBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Each app (the "showroom" app too) keeps its own catalogue in its locale/ folder.
LOCALE_PATHS: list[str] = []
USE_I18N = True
# Stored datetimes are UTC; each store has its own zone (Store.time_zone) for its local dates.
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
# Front-end packages fetched at set-up time (showroom/core/assets.py), served as /static/vendor/.
from showroom.core.assets import ASSETS_DIR  # noqa: E402

ASSETS_DIR.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [("vendor", ASSETS_DIR)]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or DATA_DIR / "static")

# Imports: the largest file accepted, what a workbook may unpack to, and the longest cell
# (Excel's own limit), so that a hostile file is refused before it is read.
IMPORT_MAX_FILE_BYTES = int(os.environ.get("SHOWROOM_IMPORT_MAX_MB", "20")) * 1024 * 1024
IMPORT_MAX_UNPACKED_BYTES = 10 * IMPORT_MAX_FILE_BYTES
IMPORT_MAX_CELL_CHARS = int(os.environ.get("SHOWROOM_IMPORT_MAX_CELL_CHARS", "32767"))
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
except OSError:
    pass
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # Hashed, compressed files once `collectstatic` has run (production); straight from
            # the app folders otherwise (laptop demo, tests).
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if (STATIC_ROOT / "staticfiles.json").exists()
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (laptop, tests) whitenoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
BEHIND_PROXY = env_bool("BEHIND_PROXY")

# Login throttling (docs/security.md): after this many failed logins the account and the
# address are each locked for the lock time, the right password included.
AXES_FAILURE_LIMIT = int(os.environ.get("SHOWROOM_LOGIN_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SHOWROOM_LOGIN_LOCK_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Attempts made while locked do not push the end of the lock further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "showroom.organization.logins.lockout_response"
AXES_CLIENT_IP_CALLABLE = "showroom.organization.logins.client_address"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Refused sign-ins are kept too: the staff screen shows each person's sign-in history.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Shared front-desk tablets: a session ends with the browser and after this long unused.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions are kept in the database and read through the cache (Redis when REDIS_URL is set):
# every request reads its session, which is written only at login and once a minute.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
IDLE_LOGOUT = timedelta(minutes=int(os.environ.get("SHOWROOM_IDLE_MINUTES", "480")))
IDLE_LOGOUT_DESK = timedelta(minutes=int(os.environ.get("SHOWROOM_DESK_IDLE_MINUTES", "30")))

# Content-Security-Policy on every answer: scripts only from our own static files (no inline
# script, no eval). Inline styles stay allowed: htmx and the chart library set them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Deprecated: one group-wide key for POST /api/leads (X-API-Key); each store's own keys are made
# on the API keys screen. Empty: store keys and logins only.
LEAD_API_KEY = os.environ.get("SHOWROOM_LEAD_API_KEY", "")
# Each lead API key may send this many requests a minute; a larger body than this is refused.
LEAD_API_RATE_PER_MINUTE = int(os.environ.get("SHOWROOM_LEAD_API_RATE", "60"))
LEAD_API_MAX_BYTES = int(os.environ.get("SHOWROOM_LEAD_API_MAX_BYTES", str(64 * 1024)))

# The brand names used for the site title; translated in templates.
SITE_NAME = _("Showroom")

# Notices also by e-mail to staff who have an address (off by default). Without an
# EMAIL_HOST the mail is written to the console, as in the demo.
NOTICE_EMAIL = env_bool("SHOWROOM_NOTICE_EMAIL")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "showroom@localhost")
