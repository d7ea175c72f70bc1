"""Django settings. Every setting a deployer may change is read from the environment and
listed in docs/settings.md (a test checks that list against the TIEWATCH_/env names here)."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tiewatch.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TIEWATCH_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# The key signs sessions, CSRF tokens and confirmation links, and keys the rate limiter's HMACs. The
# public demo value is for DEBUG only: anywhere else it would let anyone forge them, so refuse to start.
_DEMO_SECRET_KEY = "tiewatch-demo-only-not-secret"
SECRET_KEY = env_str("SECRET_KEY", "")
if SECRET_KEY in ("", _DEMO_SECRET_KEY):
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set (or is the public demo value) and DEBUG is off: set SECRET_KEY to a long "
            "random value (python -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=true on a "
            "development machine. See docs/settings.md."
        )
    SECRET_KEY = _DEMO_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS. Off by default so the demo works on http://127.0.0.1; docs/settings.md ("Production") turns
# each on, and `manage.py check --deploy` then reports nothing (tests/test_settings.py).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# "HEADER,value" (e.g. "HTTP_X_FORWARDED_PROTO,https"): the request came over HTTPS when the proxy in
# front set that header to that value. Only behind a proxy that always sets or strips it.
_proxy_ssl_header = env_list("SECURE_PROXY_SSL_HEADER", [])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured(
        f"SECURE_PROXY_SSL_HEADER must be 'HEADER,value' (e.g. HTTP_X_FORWARDED_PROTO,https), not "
        f"{','.join(_proxy_ssl_header)!r}"
    )
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header[0], _proxy_ssl_header[1]) if _proxy_ssl_header else None

INSTALLED_APPS = [
    # Admin modules are discovered when the URLconf loads (config/urls.py), not in django.setup():
    # a CLI command such as `tiewatch check` then never imports them (issue 8: answer fast).
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "tiewatch.registry",
    "tiewatch.resolution",
    "tiewatch.datasets",
    "tiewatch.policies",
    "tiewatch.campaigns",
    "tiewatch.arms",
    "tiewatch.desk",
    "tiewatch.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tiewatch.sqlite3'}")
# Persistent connections are checked before each request reuses them, so app nodes reconnect by
# themselves after a database restart or failover (docs/deploy.md).
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
                                              conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# django-ninja's Swagger UI files (ninja/swagger-ui-bundle.js ...), so /api/docs works offline (config/api.py).
# Found without importing ninja, and ninja is no installed app: a command that serves no page never loads it.
_NINJA_SPEC = importlib.util.find_spec("ninja")
_NINJA_DIRS = list(_NINJA_SPEC.submodule_search_locations or []) if _NINJA_SPEC else []
STATICFILES_DIRS = [BASE_DIR / "static", *(Path(location) / "static" for location in _NINJA_DIRS)]
# WhiteNoise warns when STATIC_ROOT has not been collected yet; the finders serve the files anyway.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
# Serve static files from the app dirs even without collectstatic (demo and tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "/admin/login/"

# Email: files in the demo, SMTP in production (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "outbox"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tiewatch <noreply@localhost>")

# tiewatch's own settings.
TIEWATCH_SITE_URL = env_str("TIEWATCH_SITE_URL", "http://127.0.0.1:8000")
TIEWATCH_POLICY_DIRS = env_list("TIEWATCH_POLICY_DIRS", [str(BASE_DIR / "tiewatch" / "policies" / "laws")])
TIEWATCH_ARMS_DATA = env_list("TIEWATCH_ARMS_DATA", [])
TIEWATCH_ARMS_CACHE = env_str("TIEWATCH_ARMS_CACHE", str(VAR_DIR / "arms-cache"))
# The shared real data beside the checkout (../shared/data: sipri/, leso/; read-only, never copied here):
# `tiewatch demo load` imports a bounded slice of it, and the arms pages read its SIPRI files when
# TIEWATCH_ARMS_DATA is empty. Empty, or a missing folder: the demo runs on its bundled data alone.
TIEWATCH_DEMO_DATA = env_str("TIEWATCH_DEMO_DATA", str(BASE_DIR.parent / "shared" / "data"))
TIEWATCH_PAGE_SIZE = env_int("TIEWATCH_PAGE_SIZE", 50)
TIEWATCH_IMPORT_MAX_BYTES = env_int("TIEWATCH_IMPORT_MAX_BYTES", 512 * 1024 * 1024)
# Dotted path of the resolver `tiewatch import` links new entities with ("" to create them all as they are).
TIEWATCH_IMPORT_RESOLVER = env_str("TIEWATCH_IMPORT_RESOLVER", "tiewatch.resolution.services.bundle_resolver")
# Archived sources (`tiewatch sources capture`, docs/registry.md#archived-sources).
TIEWATCH_ARCHIVE_DIR = env_str("TIEWATCH_ARCHIVE_DIR", str(VAR_DIR / "archive"))
TIEWATCH_ARCHIVE_TIMEOUT = env_int("TIEWATCH_ARCHIVE_TIMEOUT", 20)
TIEWATCH_ARCHIVE_MAX_BYTES = env_int("TIEWATCH_ARCHIVE_MAX_BYTES", 20 * 1024 * 1024)
TIEWATCH_ARCHIVE_MAX_REDIRECTS = env_int("TIEWATCH_ARCHIVE_MAX_REDIRECTS", 5)
TIEWATCH_ARCHIVE_ALLOW_PRIVATE = env_bool("TIEWATCH_ARCHIVE_ALLOW_PRIVATE", False)
TIEWATCH_DESK_UPLOAD_MAX_BYTES = env_int("TIEWATCH_DESK_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The handler carries the level too: Django's own loggers (django.request's 4xx warnings) propagate
    # to it whatever the root level is.
    "handlers": {"console": {"class": "logging.StreamHandler", "level": env_str("LOG_LEVEL", "WARNING")}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
