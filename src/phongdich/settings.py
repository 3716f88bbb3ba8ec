"""PhòngDịch settings: environment variables only (documented in README).

Every value goes through ``phongdich.lib.env`` helpers, which stop start-up with a message naming the
variable when a value is malformed.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from phongdich.lib.env import (
    ConfigError,
    envbool,
    envint,
    envlist,
    envsecret,
    envstr,
    envurl,
    parse_database_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent

try:
    DATA_DIR = Path(envstr("PHONGDICH_DATA_DIR", "var")).resolve()
    DEBUG = envbool("DEBUG", False)
    ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
    BASE_URL = envurl("PHONGDICH_BASE_URL", "http://127.0.0.1:8000")
    _database_url = envstr("DATABASE_URL", "")
    _db = parse_database_url("DATABASE_URL", _database_url) if _database_url else None
    SECRET_KEY = envsecret("SECRET_KEY", DATA_DIR)
    # Encrypts certificate signing keys at rest; set it from a secret store in production.
    CERT_KEY_PASSPHRASE = envsecret("PHONGDICH_CERT_KEY_PASSPHRASE", DATA_DIR)
    RETENTION_DAYS = envint("PHONGDICH_RETENTION_DAYS", 28, minimum=1, maximum=3650)
    LOGIN_MAX_FAILURES = envint("PHONGDICH_LOGIN_MAX_FAILURES", 5, minimum=1)
    LOGIN_LOCKOUT_MINUTES = envint("PHONGDICH_LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
    # Failures of any names from one address before that address is locked for every name (a
    # name alone is locked only for the address that failed it: nobody can lock officers out).
    LOGIN_MAX_FAILURES_PER_ADDRESS = envint(
        "PHONGDICH_LOGIN_MAX_FAILURES_PER_ADDRESS", 20, minimum=1
    )
    TOTP_MAX_FAILURES = envint("PHONGDICH_TOTP_MAX_FAILURES", 5, minimum=1)
    # API tokens issued from now on expire after this many days; 0 issues tokens that never do.
    API_TOKEN_DAYS = envint("PHONGDICH_API_TOKEN_DAYS", 90, minimum=0, maximum=3650)
    # A staff session ends after this many minutes without a request (and after 12 hours anyway).
    SESSION_IDLE_MINUTES = envint("PHONGDICH_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=720)
    HOTLINES = envlist("PHONGDICH_HOTLINES", ["1900 9095", "02373.742.289"])
    AUTO_APPROVE_VENUES = envbool("PHONGDICH_AUTO_APPROVE_VENUES", False)
    # Each server process keeps venues it has looked up for this long: every check-in needs its
    # venue. A change made in one process reaches the others within this time. 0 turns it off.
    VENUE_CACHE_SECONDS = envint("PHONGDICH_VENUE_CACHE_SECONDS", 10, minimum=0, maximum=3600)
    CHECKIN_RATE_PER_MINUTE = envint("PHONGDICH_CHECKIN_RATE_PER_MINUTE", 120, minimum=1)
    # Anonymous check-ins and check-outs through the JSON API skip the middleware that has nothing
    # to do for them (checkpoints.fast_api): half a check-in's CPU. Off sends them through Django.
    API_FAST_PATH = envbool("PHONGDICH_API_FAST_PATH", True)
    REDIS_URL = envstr("PHONGDICH_REDIS_URL", "")
    # With an https base URL: how long browsers remember to use https only (HSTS).
    HSTS_SECONDS = envint("PHONGDICH_HSTS_SECONDS", 31536000, minimum=0)
    # Reverse proxies (addresses or networks) whose X-Forwarded-For names the client: rate limits,
    # lockouts and the audit log then see the real client. From anyone else the header is ignored.
    TRUSTED_PROXIES = envlist("PHONGDICH_TRUSTED_PROXIES", [])
    for _proxy in TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(_proxy, strict=False)
        except ValueError:
            raise ConfigError(
                f"PHONGDICH_TRUSTED_PROXIES: {_proxy!r} is not an address or network"
            ) from None
    SQLITE_BUSY_TIMEOUT_MS = envint("PHONGDICH_SQLITE_BUSY_TIMEOUT_MS", 10000, minimum=0)
    # PostgreSQL: test a kept connection with a round trip at the start of every request. Off by
    # default (a check-in makes only a few round trips); turn it on where the database restarts
    # or a proxy drops idle connections, to avoid one failed request per stale connection.
    DB_HEALTH_CHECKS = envbool("PHONGDICH_DB_HEALTH_CHECKS", False)
    # A new case lists its F1 at once; when it has more F1 than this, the F2 search (which grows
    # with every F1's own visits) runs in the background worker instead of the officer's request.
    TRACING_INLINE_F1 = envint("PHONGDICH_TRACING_INLINE_F1", 50, minimum=0)
    # SMS (one-time codes, later calls and campaigns): "console" writes messages to the log with
    # the number masked (the demo); "kannel" sends through Kannel's smsbox (docs/reference/sms.md).
    SMS_GATEWAY = envstr("PHONGDICH_SMS_GATEWAY", "console")
    if SMS_GATEWAY not in ("console", "kannel"):
        raise ConfigError("PHONGDICH_SMS_GATEWAY: expected console or kannel")
    SMS_SENDER = envstr("PHONGDICH_SMS_SENDER", "PhongDich")
    SMS_ASCII_ONLY = envbool("PHONGDICH_SMS_ASCII_ONLY", False)
    SMS_DAILY_CAP = envint("PHONGDICH_SMS_DAILY_CAP", 10, minimum=1)
    KANNEL_SENDSMS_URL = envstr(
        "PHONGDICH_KANNEL_SENDSMS_URL", "http://127.0.0.1:13013/cgi-bin/sendsms"
    )
    KANNEL_USERNAME = envstr("PHONGDICH_KANNEL_USERNAME", "phongdich")
    KANNEL_PASSWORD = envstr("PHONGDICH_KANNEL_PASSWORD", "")
    # Where Kannel calls back with delivery reports (a signed URL per message); empty: the
    # site's own address + /sms/dlr. Replies (opt-out keywords) come to /sms/mo.
    SMS_DLR_URL = envstr("PHONGDICH_SMS_DLR_URL", "")
    # Robot calls (outreach): "console" plays the scripts in the log with answers from a fixed
    # table (the demo); "sip" dials through the SIP trunk or PBX below (docs/reference/telephony.md).
    CALL_ADAPTER = envstr("PHONGDICH_CALL_ADAPTER", "console")
    if CALL_ADAPTER not in ("console", "sip"):
        raise ConfigError("PHONGDICH_CALL_ADAPTER: expected console or sip")
    SIP_HOST = envstr("PHONGDICH_SIP_HOST", "127.0.0.1")
    SIP_PORT = envint("PHONGDICH_SIP_PORT", 5060, minimum=1, maximum=65535)
    SIP_DOMAIN = envstr("PHONGDICH_SIP_DOMAIN", "")
    SIP_FROM_USER = envstr("PHONGDICH_SIP_FROM_USER", "phongdich")
    SIP_USERNAME = envstr("PHONGDICH_SIP_USERNAME", "")
    SIP_PASSWORD = envstr("PHONGDICH_SIP_PASSWORD", "")
    SIP_LOCAL_HOST = envstr("PHONGDICH_SIP_LOCAL_HOST", "127.0.0.1")
    SIP_LOCAL_PORT = envint("PHONGDICH_SIP_LOCAL_PORT", 0, minimum=0, maximum=65535)
    SIP_RING_TIMEOUT = envint("PHONGDICH_SIP_RING_TIMEOUT", 30, minimum=5, maximum=300)
    SIP_MAX_DURATION = envint("PHONGDICH_SIP_MAX_DURATION", 300, minimum=30, maximum=3600)
    # A trunk that wants national numbers: "+84" is replaced by this prefix ("0"); empty keeps E.164.
    SIP_NATIONAL_PREFIX = envstr("PHONGDICH_SIP_NATIONAL_PREFIX", "")
    # Home care: the STUN/TURN servers offered to the teleconsultation's browsers (none: direct
    # connections only).
    STUN_URLS = envlist("PHONGDICH_STUN_URLS", [])
    TURN_URLS = envlist("PHONGDICH_TURN_URLS", [])
    TURN_USERNAME = envstr("PHONGDICH_TURN_USERNAME", "")
    TURN_CREDENTIAL = envstr("PHONGDICH_TURN_CREDENTIAL", "")
    # Ward portal: anonymous page views are served from the cache for this long (the visitor
    # counters still count every view); 0 renders every view.
    PORTAL_CACHE_SECONDS = envint("PHONGDICH_PORTAL_CACHE_SECONDS", 10, minimum=0, maximum=3600)
    PORTAL_DOCUMENT_MAX_MB = envint("PHONGDICH_PORTAL_DOCUMENT_MAX_MB", 10, minimum=1, maximum=200)
    # The epidemic map works without a tile server (plain background); set a tile URL template
    # such as https://tiles.example.vn/{z}/{x}/{y}.png to draw one under the wards.
    MAP_TILE_URL = envstr("PHONGDICH_MAP_TILE_URL", "")
    if MAP_TILE_URL and not MAP_TILE_URL.startswith(("https://", "http://", "/")):
        raise ConfigError("PHONGDICH_MAP_TILE_URL: expected an http(s) URL template or a path")
except ConfigError as error:
    sys.stderr.write(f"PhòngDịch configuration error: {error}\n")
    raise SystemExit(2) from error

DATA_DIR.mkdir(parents=True, exist_ok=True)

if _db is None or _db.engine == "sqlite":
    _sqlite_path = DATA_DIR / "phongdich.sqlite3" if _db is None else Path(_db.name)
    DATABASES = {
        "default": {
            # Django's SQLite backend with writers queued on a file lock (see that module).
            "ENGINE": "phongdich.core.sqlite_queued",
            "NAME": str(_sqlite_path),
            # Keep connections: opening one runs the PRAGMAs below, ~30 % of a check-in's CPU.
            "CONN_MAX_AGE": None,
            # A server, not a desktop file: WAL lets readers run beside the writer, NORMAL sync is
            # safe under WAL, and IMMEDIATE takes the write lock at BEGIN so two writers queue on
            # busy_timeout instead of failing with "database is locked" mid-transaction.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS};"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-65536;"
                    "PRAGMA mmap_size=268435456;"
                    "PRAGMA temp_store=MEMORY;"
                ),
            },
            # A file (not :memory:) so threads and the live test server share it; one per test
            # process so concurrent test runs on one machine never share a database.
            "TEST": {"NAME": str(DATA_DIR / f"test-phongdich-{os.getpid()}.sqlite3")},
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _db.name,
            "USER": _db.user,
            "PASSWORD": _db.password,
            "HOST": _db.host,
            "PORT": _db.port,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": DB_HEALTH_CHECKS,
            # JIT compilation costs more than it saves on the short indexed queries of this app.
            # Server-side binding lets psycopg prepare the statements a server repeats (a check-in's
            # two): PostgreSQL then skips parsing and planning them, 10–20 % more check-ins a second.
            "OPTIONS": {
                "options": "-c jit=off",
                "server_side_binding": True,
                **dict(_db.options),
            },
        }
    }
IS_SQLITE = _db is None or _db.engine == "sqlite"

INSTALLED_APPS = [
    "phongdich.core",
    "phongdich.places",
    "phongdich.accounts",
    "phongdich.people",
    "phongdich.checkpoints",
    "phongdich.tracing",
    "phongdich.testing",
    "phongdich.outreach",
    "phongdich.vaccination",
    "phongdich.care",
    "phongdich.risk",
    "phongdich.campaigns",
    "phongdich.portal",
    # The ward portal's content management (news, documents, moderation): Wagtail.
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # The API docs' Swagger UI from its own static files (without it, from a CDN).
    "ninja",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "phongdich.core.middleware.ContentSecurityPolicyMiddleware",
    "phongdich.core.middleware.UnstorableJsonMiddleware",
    "phongdich.core.middleware.OutOfRangeIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "phongdich.accounts.middleware.IdleTimeoutMiddleware",
    "phongdich.core.middleware.PrivateCacheMiddleware",
    "phongdich.accounts.middleware.OtpRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "phongdich.urls"
WSGI_APPLICATION = "phongdich.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "phongdich.core.context.site",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if os.environ.get("PHONGDICH_FAST_HASHER") == "1":  # tests and benchmarks only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "phongdich.core.storage.StaticStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The covering index on visits is PostgreSQL's; SQLite builds it without the INCLUDE columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Wagtail (the ward portal's CMS, admin at /cms/). Staff log in through the platform's login
# (lockout, two-factor); uploaded documents are PDF or DOCX only, size-limited, served through a
# view with a restrictive Content-Security-Policy (docs/reference/portal.md).
WAGTAIL_SITE_NAME = "PhòngDịch"
WAGTAILADMIN_BASE_URL = BASE_URL
WAGTAILADMIN_LOGIN_URL = "accounts:login"
WAGTAILADMIN_PERMITTED_LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_DOCUMENT_MODEL = "portal.PortalDocument"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = PORTAL_DOCUMENT_MAX_MB * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_BLOCK_EMBEDDED_CONTENT = True
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAIL_ALLOW_UNICODE_SLUGS = False

TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_TRUSTED_ORIGINS = [BASE_URL]


def https_settings(base_url: str, hsts_seconds: int) -> dict:
    """Served over https (the base URL says so): secure cookies, plain http redirected to https,
    and HSTS so browsers never try http again. Behind a proxy, it must set X-Forwarded-Proto."""
    if not base_url.startswith("https://"):
        return {}
    return {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": hsts_seconds,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        # The health check of a load balancer talking plain http inside the network.
        "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
    }


globals().update(https_settings(BASE_URL, HSTS_SECONDS))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"phongdich": {"level": "INFO"}},
}
