"""GridGov settings: one module, every value from the environment.

Defaults run a fresh checkout on the embedded stack (SpatiaLite under var/,
Celery on kombu's filesystem transport under var/). `.env.example` lists every
variable; the README explains each.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gridgov.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("GRIDGOV_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = envstr("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
if not DEBUG and SECRET_KEY.startswith("dev-only") and envbool("GRIDGOV_REQUIRE_SECRET", False):
    raise ImproperlyConfigured("SECRET_KEY must be set in production")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "leaflet",
    "apps.areas",
    "apps.people",
    "apps.compounds",
    "apps.stars",
    "apps.cases",
    "apps.gisio",
    "apps.dashboard",
    "apps.patrols",
    "apps.supervision",
    "apps.bulletins",
    "apps.integrity",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gridgov.middleware.SwitchLanguageMiddleware",
    # API query strings with a NUL character: a 400, not a PostgreSQL error (gridgov/api_errors.py).
    "gridgov.api_errors.refuse_nul_in_query",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.cases.context.header",
            ],
        },
    },
]

# Database: SpatiaLite file under var/ unless DATABASE_URL says otherwise
# (postgis://user:password@host:port/name in production and tests).
DATABASE_URL = envstr("DATABASE_URL", f"spatialite:///{VAR_DIR / 'gridgov.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] not in (
    "django.contrib.gis.db.backends.postgis",
    "django.contrib.gis.db.backends.spatialite",
):
    raise ImproperlyConfigured("DATABASE_URL must use the postgis:// or spatialite:// scheme")
if DATABASES["default"]["ENGINE"].endswith("postgis") and envbool("DB_PREPARED_STATEMENTS", True):
    # Parameters bound by the server, and a query run five times on a connection
    # becomes a prepared statement: PostgreSQL stops parsing and planning it again.
    # A report's queries (a place query with six subqueries among them) went from
    # 11.3 to 8.6 ms (bench/bench_cases.py). Off behind a pooler that cannot keep
    # prepared statements (PgBouncer in transaction mode before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
if DATABASES["default"]["ENGINE"].endswith("spatialite"):
    # SQLite holds one writer at a time; wait for it instead of failing at once.
    # IMMEDIATE: a transaction that reads and then writes (transition(), the
    # outbox) takes the write lock at BEGIN; deferred, it failed at once with
    # "database is locked" while a Celery worker wrote (seen in the worker tests).
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The test database is in memory unless this names a file; tests that start
    # a real Celery worker (another process) need the file, and skip without it.
    if envstr("GRIDGOV_TEST_SQLITE_FILE", ""):
        DATABASES["default"]["TEST"] = {"NAME": envstr("GRIDGOV_TEST_SQLITE_FILE", "")}
    # SQLite loads mod_spatialite with RTLD_GLOBAL, which puts Debian's
    # libsqlite3 first in the process's symbol scope; pyogrio's wheel bundles
    # its own GDAL and SQLite, and a GeoPackage opened after that crashes the
    # process (segfault, seen here). Loading pyogrio first keeps its libraries
    # bound to their own SQLite. Costs ~0.4 s of start-up, only on SpatiaLite.
    import pyogrio  # noqa: F401,E402
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "map"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [
    BASE_DIR / "frontend" / "static",
    # Browser libraries pinned in package.json (npm ci), served as static/vendor/<name>/.
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    # The report sheet's offline queue (IndexedDB) and its service worker (Workbox, loaded by workbox-sw).
    ("vendor/idb", BASE_DIR / "node_modules" / "idb" / "build"),
    *[
        (f"vendor/workbox-{name}", BASE_DIR / "node_modules" / f"workbox-{name}" / "build")
        for name in ("sw", "core", "routing", "strategies", "expiration")
    ],
]
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
# Behind nginx (deploy/nginx.conf): Django checks access to a case photo and hands
# the file to nginx's internal /media/ location with X-Accel-Redirect.
MEDIA_X_ACCEL = envbool("MEDIA_X_ACCEL", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Sessions load the user with their person (role, area) in one query.
AUTHENTICATION_BACKENDS = ["apps.people.authentication.PersonBackend"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "apps.people.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Every error answers {detail, code, field?} (gridgov/api_errors.py).
    "EXCEPTION_HANDLER": "gridgov.api_errors.exception_handler",
    # A JSON body must be an object (a list or a bare number is a 400, not a view tripping over it);
    # NUL characters in a body are a 400 naming the field.
    "DEFAULT_PARSER_CLASSES": [
        "gridgov.api_errors.JSONObjectParser",
        "gridgov.api_errors.FormParser",
        "gridgov.api_errors.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GridGov API",
    "DESCRIPTION": "Grid governance and five-star branch platform: areas, locate, map layers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files: no CDN, and 'self' under the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every status an operation can answer, the one error shape, Open311's error list, locate's ranges.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gridgov.api_errors.postprocess_schema",
    ],
}

# Celery: Redis in production and tests, kombu's filesystem transport under var/
# for the embedded default (it polls about once a second, fine for a demo).
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem"):
    _queue = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue / "out"),
        "data_folder_out": str(_queue / "out"),
        "processed_folder": str(_queue / "processed"),
        "control_folder": str(_queue / "control"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Deadlines: yellow at 80% of the working time, red and escalated when overdue.
    "check-deadlines": {"task": "apps.cases.tasks.check_deadlines", "schedule": envint("DEADLINE_SWEEP_SECONDS", 300)},
    # Re-send notifications a broker outage left in the outbox.
    "sweep-outbox": {"task": "apps.cases.tasks.sweep_outbox", "schedule": envint("OUTBOX_SWEEP_SECONDS", 60)},
    # Five-star indicators the platform measures (三零 from cases, ten-star share), hourly.
    "refresh-star-indicators": {"task": "apps.stars.tasks.refresh_indicators", "schedule": 3600},
    # Zoning and assignment drafts: re-send jobs a broker outage left queued (older than a minute).
    "sweep-plans": {"task": "apps.compounds.tasks.sweep_plans", "schedule": 60},
    # Supervision: overdue rectifications turn red and go to the branch's 包保 leader, every 15 minutes.
    "check-rectifications": {"task": "apps.supervision.tasks.check_rectifications", "schedule": 900},
    # Bulletins: the week's digest on Monday, the month's on the 1st, the quarter's on its first day (06:00).
    "weekly-bulletin": {"task": "apps.bulletins.tasks.make_weekly", "schedule": crontab(minute=0, hour=6, day_of_week=1)},
    "monthly-bulletin": {"task": "apps.bulletins.tasks.make_monthly", "schedule": crontab(minute=10, hour=6, day_of_month=1)},
    "quarterly-bulletin": {"task": "apps.bulletins.tasks.make_quarterly",
                           "schedule": crontab(minute=20, hour=6, day_of_month=1, month_of_year="1,4,7,10")},
}
# Publishing a task never blocks a request for long when the broker is down:
# the outbox sweeper sends what could not be queued.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS.setdefault("max_retries", 1)
# kombu waits interval_start (default 2 s) before that one retry; measured: a
# report took 2.0 s with Redis stopped, 2 ms with no wait.
CELERY_BROKER_TRANSPORT_OPTIONS.setdefault("interval_start", 0)

# Map. Base tiles are optional: the map draws vector layers on a plain
# background when GRIDGOV_BASEMAP is "none" (the default; no internet needed).
GRIDGOV_BASEMAP = envstr("GRIDGOV_BASEMAP", "none")
if GRIDGOV_BASEMAP not in ("none", "tianditu", "amap", "osm"):
    raise ImproperlyConfigured("GRIDGOV_BASEMAP must be one of none, tianditu, amap, osm")
TIANDITU_KEY = envstr("TIANDITU_KEY", "")
if GRIDGOV_BASEMAP == "tianditu" and not TIANDITU_KEY:
    raise ImproperlyConfigured("GRIDGOV_BASEMAP=tianditu needs TIANDITU_KEY")
GRIDGOV_DISTRICT_CODE = envstr("GRIDGOV_DISTRICT_CODE", "410105")
GRIDGOV_LAYER_PAGE_MAX = envint("GRIDGOV_LAYER_PAGE_MAX", 5000)
# Rendered map layers are cached (apps/areas/layercache.py) in each process's
# memory by default; redis://host:6379/1 shares them between processes and hosts.
CACHE_URL = envstr("CACHE_URL", "locmem://")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    # Short timeouts: with Redis down a layer is served uncached, not late.
    _cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
              "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
elif CACHE_URL == "locmem://":
    _cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
else:
    raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r}: expected locmem:// or redis://host:port/db")
CACHES = {"default": _cache}
# Seconds a rendered layer stays in that cache; 0 turns the server-side cache off.
GRIDGOV_LAYER_CACHE_SECONDS = envint("GRIDGOV_LAYER_CACHE_SECONDS", 3600)
# A report within this many metres of another grid, community, sub-district or a zone edge keeps
# both candidates (apps/cases/borders.py); 0 turns the border test off.
GRIDGOV_BORDER_M = envint("GRIDGOV_BORDER_M", 30)
# 取证闭环 (apps/cases/evidence.py): a handler's or verifier's photo is flagged when taken
# farther than max_distance_m from the case point, more than clock_tolerance_s before the
# dispatch, or within max_hash_bits (of 64) of a photo on another case. EXIF times without
# an offset are read in exif_time_zone.
GRIDGOV_EVIDENCE = {
    "max_distance_m": envint("GRIDGOV_EVIDENCE_MAX_DISTANCE_M", 100),
    "max_hash_bits": envint("GRIDGOV_EVIDENCE_MAX_HASH_BITS", 6),
    "clock_tolerance_s": envint("GRIDGOV_EVIDENCE_CLOCK_TOLERANCE_S", 300),
    "exif_time_zone": envstr("GRIDGOV_EVIDENCE_EXIF_TIME_ZONE", TIME_ZONE),
}
if GRIDGOV_EVIDENCE["max_distance_m"] <= 0:
    raise ImproperlyConfigured("GRIDGOV_EVIDENCE_MAX_DISTANCE_M must be a positive number of metres")
# 0..11: the lookup enumerates chunk values within max_hash_bits // 4 bits (1 + 16 + 120 at 11).
if not 0 <= GRIDGOV_EVIDENCE["max_hash_bits"] <= 11:
    raise ImproperlyConfigured("GRIDGOV_EVIDENCE_MAX_HASH_BITS must be between 0 and 11")
if GRIDGOV_EVIDENCE["clock_tolerance_s"] < 0:
    raise ImproperlyConfigured("GRIDGOV_EVIDENCE_CLOCK_TOLERANCE_S must not be negative")
# Open311 GeoReport v2: keys allowed to post service requests (comma-separated); none = read only.
OPEN311_API_KEYS = envlist("OPEN311_API_KEYS", [])

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (34.80, 113.68),
    "DEFAULT_ZOOM": 12,
    "MIN_ZOOM": 9,
    "MAX_ZOOM": 19,
    "TILES": [],
    "ATTRIBUTION_PREFIX": "GridGov",
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}

if not DEBUG and envbool("SECURE_COOKIES", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# HTTPS behind deploy/nginx.conf, which sets X-Forwarded-Proto to the scheme the
# browser used (and overwrites any the client sent). Trust it only behind that proxy.
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
# HSTS: 0 (the demo) sends none; production 31536000 once every page is served over HTTPS.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured(f"SECURE_HSTS_SECONDS={SECURE_HSTS_SECONDS}: expected 0 (off) or more seconds")

# Content-Security-Policy (django-csp) on every response: scripts and styles from
# our own origin only, no inline code. The one inline script is django-leaflet's
# map set-up, allowed by the request's nonce ({% leaflet_map ... csp_nonce=request.csp_nonce %}).
# Leaflet and ECharts style elements through the CSSOM, which the policy allows;
# markup must carry classes, never style="" (tests/e2e/test_csp.py loads every page).
_tiles = {
    "none": [],
    "tianditu": ["https://*.tianditu.gov.cn"],
    "amap": ["https://*.is.autonavi.com"],
    "osm": ["https://tile.openstreetmap.org"],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *_tiles[GRIDGOV_BASEMAP]],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The report sheet's service worker (/sw.js, apps/cases/offline.py).
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Debian 12 ships GDAL 3.6; the check asks for 3.9 to block file/network access
# while parsing untrusted spatial references. We only parse SRS text from files
# an administrator loads, and validate them first (apps/gisio).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
