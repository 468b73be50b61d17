"""The platform's one settings module: every value comes from the environment (.env.example)."""

from datetime import timedelta
from pathlib import Path

import environ
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"
INSECURE_DEV_SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - refused in production

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=INSECURE_DEV_SECRET_KEY)
# Off unless asked for, so what a newcomer measures with `make run` is what production does.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])

if IS_PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_ENV=production")
    if SECRET_KEY == INSECURE_DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (50+ random characters) when DJANGO_ENV=production")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS when DJANGO_ENV=production")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "rest_framework_api_key",  # its abstract key model; platform_core.ApiKey is the one used
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as static files: the docs work without internet
    "corsheaders",
    "channels",
    "platform_core",
    "assessments",
    "exports",
    "integrations",
    "integrations.webhooks",
    "integrations.make",  # registers its inbound source and delivery listener with integrations.webhooks
    "integrations.email",
    "integrations.ai",
    "integrations.airtable",
    "integrations.research",
    "realtime",
]

MIDDLEWARE = [
    "platform_core.middleware.RequestIDMiddleware",
    "platform_core.observability.middleware.ObservabilityMiddleware",
    "platform_core.resilience.DependencyFailureMiddleware",  # lost DB/Redis connections: retry once or 503
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "platform_core.gateway.GatewayMiddleware",
    # The admin's cookie session, user and messages; the API and probes skip them (platform_core/middleware.py).
    "platform_core.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "platform_core.middleware.AuthenticationMiddleware",
    "platform_core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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

# --- Database: psycopg 3 with Django's native pool, or PgBouncer in transaction mode ----------
DB_PGBOUNCER = env.bool("DB_PGBOUNCER", default=False)
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=30_000)


def database_config(url: str, *, pgbouncer: bool = DB_PGBOUNCER) -> dict:
    config = env.db_url_config(url)
    config["CONN_MAX_AGE"] = 0  # the pool (or PgBouncer) keeps connections, not Django
    if pgbouncer:
        # Transaction pooling: no session state survives a transaction, so no server-side
        # cursors, and PgBouncer forwards no `options` (set statement_timeout on the role).
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        config["OPTIONS"] = {"prepare_threshold": None}
    else:
        config["ENGINE"] = "platform_core.db_backend"  # the pool notices terminated connections on checkout
        config["OPTIONS"] = {
            "pool": {
                "min_size": env.int("DB_POOL_MIN_SIZE", default=2),  # per process: it grows on demand
                "max_size": env.int("DB_POOL_MAX_SIZE", default=100),
                "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
            },
            "options": f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
        }
    return config


DATABASES = {"default": database_config(env.str("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/platform"))}
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_config(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, results, cache and channel layer in separate databases -----------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379").rstrip("/")
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default=f"{REDIS_URL}/1")
CHANNELS_REDIS_URL = env.str("CHANNELS_REDIS_URL", default=f"{REDIS_URL}/2")

CACHES = {
    "default": {
        # django-redis's RedisCache, counting reads as hits and misses (platform_cache_requests_total).
        "BACKEND": "platform_core.observability.cache.InstrumentedRedisCache",
        "LOCATION": CACHE_REDIS_URL,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 2,
            "SOCKET_TIMEOUT": 2,
            "CONNECTION_POOL_KWARGS": {"max_connections": 200},
        },
        "KEY_PREFIX": "mp",
    }
}

# Bounded, waiting Redis pool: redis-py's default cap (100) failed group adds at 1,000+ sockets.
CHANNELS_REDIS_POOL_SIZE = env.int("CHANNELS_REDIS_POOL_SIZE", default=200)
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "realtime.layers.PooledRedisChannelLayer",
        "CONFIG": {"hosts": [CHANNELS_REDIS_URL], "capacity": 1500, "expiry": 30},
    }
}
# WebSockets (realtime app): single-use tickets, Origin policy, the broadcast Pub/Sub channel.
REALTIME_TICKET_TTL_SECONDS = env.int("REALTIME_TICKET_TTL_SECONDS", default=30)
REALTIME_ALLOW_MISSING_ORIGIN = env.bool("REALTIME_ALLOW_MISSING_ORIGIN", default=True)
REALTIME_BROADCAST_CHANNEL = env.str("REALTIME_BROADCAST_CHANNEL", default="realtime:broadcast")

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=f"{REDIS_URL}/0")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=f"{REDIS_URL}/3")
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_QUEUES = [
    Queue(name) for name in ("default", "assessments", "ai", "exports", "email", "airtable", "research", "webhooks")
]
CELERY_TASK_DEFAULT_QUEUE = "default"
# Routed by the task's module: ops scale one worker pool per queue (celery -A config worker -Q ai).
CELERY_TASK_ROUTES = {
    "assessments.ai_tasks.company_rate*": {"queue": "research"},  # ratings research the company first (a browser)
    "assessments.ai_tasks.*": {"queue": "ai"},  # before assessments.*: the first matching pattern wins
    "assessments.*": {"queue": "assessments"},
    "integrations.ai.*": {"queue": "ai"},
    "exports.*": {"queue": "exports"},
    "integrations.email.*": {"queue": "email"},
    "integrations.airtable.*": {"queue": "airtable"},
    "integrations.research.*": {"queue": "research"},
    "integrations.webhooks.*": {"queue": "webhooks"},
    "integrations.make.*": {"queue": "webhooks"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Keep the database pool across tasks (Celery's Django fixup would close it around each one); config/celery.py
# returns connections to the pool around every task instead.
CELERY_DB_REUSE_MAX = 1_000_000_000
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=285)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# Celery's monitoring events (for Flower or `celery events`): four Redis publishes per task and one per enqueue in
# the web request, read by nothing of ours (metrics come from signals), so off unless ops watch with such a tool.
CELERY_WORKER_SEND_TASK_EVENTS = CELERY_TASK_SEND_SENT_EVENT = env.bool("CELERY_TASK_EVENTS", default=False)
# A job's state and result live in its Job row; nothing reads Celery's result backend but tests' own tasks.
CELERY_TASK_IGNORE_RESULT = env.bool("CELERY_TASK_IGNORE_RESULT", default=True)
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Longer than any task's hard limit, so a running task is never redelivered while it runs;
# long delays are stored in PostgreSQL instead (platform_core.services.tasks).
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, float] = {"visibility_timeout": 3600}
# Task modules outside the autodiscovered <app>.tasks, then any extra ones (test workers).
CELERY_IMPORTS = ["assessments.ai_tasks", *env.list("CELERY_EXTRA_IMPORTS", default=[])]
# Also how soon after a broker outage the tasks accepted meanwhile (kept in PostgreSQL) are sent.
SCHEDULED_TASKS_DISPATCH_SECONDS = env.float("SCHEDULED_TASKS_DISPATCH_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    # Retries and deliveries due within the next minutes leave PostgreSQL for the broker.
    "dispatch-scheduled-tasks": {
        "task": "platform_core.tasks.scheduled_tasks_dispatch",
        "schedule": SCHEDULED_TASKS_DISPATCH_SECONDS,
        "options": {"expires": SCHEDULED_TASKS_DISPATCH_SECONDS * 0.9},
    },
    # A job whose worker died is taken back soon after its hard time limit.
    "reap-stuck-jobs": {"task": "platform_core.tasks.jobs_reap_stuck", "schedule": 60.0, "options": {"expires": 55}},
    # Finished jobs are history; keep JOB_RETENTION_DAYS of it. Hourly keeps each delete small.
    "cleanup-finished-jobs": {
        "task": "platform_core.tasks.jobs_cleanup_finished",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Expired refresh tokens are dead weight in the blacklist tables.
    "flush-expired-tokens": {
        "task": "platform_core.tasks.tokens_flush_expired",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # AI usage summed per day, customer and model for the cost reports (today's and yesterday's).
    "ai-usage-rollup": {
        "task": "integrations.ai.tasks.ai_usage_rollup",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Outbound deliveries whose worker died mid-attempt (lease over) are resent soon after.
    "recover-webhook-deliveries": {
        "task": "integrations.webhooks.tasks.webhook_deliveries_recover",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Arrivals request a drain of stored inbound webhooks; this one catches what a lost request
    # or a dead worker's lease left behind.
    "drain-inbound-webhooks": {
        "task": "integrations.webhooks.tasks.inbound_webhooks_drain",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Make.com executions without a callback by their deadline become timed_out.
    "time-out-make-executions": {
        "task": "integrations.make.tasks.make_executions_time_out",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Leftovers of crashed renders and uploads.
    "cleanup-temp-files": {
        "task": "platform_core.tasks.temp_files_cleanup",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Export files past EXPORT_RETENTION_HOURS, and objects a failed render may have left in storage.
    "purge-expired-exports": {
        "task": "exports.tasks.exports_purge",
        "schedule": 900.0,
        "options": {"expires": 850},
    },
    # The platform's changes waiting in the Airtable outbox are pushed within a minute.
    "airtable-outbox-flush": {
        "task": "integrations.airtable.tasks.airtable_outbox_flush",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The staff health page's live numbers (admin/health/), pushed to staff sockets.
    "publish-staff-health": {
        "task": "platform_core.tasks.staff_health_publish",
        "schedule": 10.0,
        "options": {"expires": 9},
    },
    # Assessments started and abandoned for 7 days become `expired`; hourly is precise enough.
    "expire-abandoned-assessments": {
        "task": "assessments.tasks.assessment_sessions_expire",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}
JOB_RETENTION_DAYS = env.int("JOB_RETENTION_DAYS", default=30)
PLATFORM_TMP_DIR = env.path("PLATFORM_TMP_DIR", default=BASE_DIR / "var" / "tmp")
TEMP_FILE_MAX_AGE_HOURS = env.int("TEMP_FILE_MAX_AGE_HOURS", default=6)

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "platform_core.User"
PASSWORD_HASHERS = [
    "platform_core.hashers.OwaspArgon2PasswordHasher",  # argon2id at OWASP's parameters (issue 12)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- Sessions, login protection, API keys, rate limits (platform_core.authentication/throttling) ---
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30) * 60
SESSION_MAX_PER_USER = env.int("SESSION_MAX_PER_USER", default=3)
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_MINUTES", default=15) * 60
TEAM_INVITATION_DAYS = env.int("TEAM_INVITATION_DAYS", default=7)
# "<count>/<n><s|m|h|d>". Who is counted: the user, the API key, or the IP when anonymous.
RATE_LIMITS = {
    "anon": "100/15m",  # every anonymous call, per IP (domain.md §12)
    "user": "1000/15m",  # every call of a signed-in user
    "api_key": "1000/15m",
    "login_ip": "30/15m",  # the token endpoint, per IP and per account
    "login_account": "10/15m",
    "jobs_personas": "10/h",
    "jobs_rate_company": "20/h",
    "jobs_rate_batch": "5/h",
    "jobs_generate_icp": "5/h",
    "job_status": "60/m",
    "progress_track": "60/15m",  # browser progress events, per user (issue 13)
    "exports_create": "30/15m",  # each export is a render on a worker (domain.md §12: 10/15m per old route)
    **env.json("RATE_LIMIT_OVERRIDES", default={}),
}
# Endpoint classes by URL name, for views that do not set `throttle_scope` themselves.
RATE_LIMIT_ROUTES = {
    "job-detail": "job_status",
    "job-generate-icp": "jobs_generate_icp",
    "job-personas": "jobs_personas",
    "job-rate-company": "jobs_rate_company",
    "job-rate-batch": "jobs_rate_batch",
    **env.json("RATE_LIMIT_ROUTE_OVERRIDES", default={}),
}
SUPPORTED_API_VERSIONS = ["v1"]
# Request bodies above this size answer 413 (domain.md §12: 10 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("REQUEST_BODY_MAX_BYTES", default=10 * 1024 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "platform_core.authentication.SessionJWTAuthentication",
        "platform_core.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["platform_core.permissions.RoleWritePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["platform_core.throttling.PlatformRateLimit"],
    # Proxies in front of the app that append to X-Forwarded-For (nginx: 1); 0 trusts only REMOTE_ADDR.
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0),
    "DEFAULT_PAGINATION_CLASS": "platform_core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_RENDERER_CLASSES": ["platform_core.api.rendering.CamelCaseJSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "platform_core.api.rendering.JSONFirstNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "platform_core.parsers.PlatformJSONParser",  # camelCase + depth/size caps, bad JSON = 400 (issue 13)
        "djangorestframework_camel_case.parser.CamelCaseFormParser",
        "djangorestframework_camel_case.parser.CamelCaseMultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "platform_core.api.schema.PlatformAutoSchema",  # documents the error statuses
    "EXCEPTION_HANDLER": "platform_core.api.errors.exception_handler",
    "JSON_UNDERSCOREIZE": {"no_underscore_before_number": True},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "modern-platform API",
    "DESCRIPTION": "Revenue-intelligence platform backend. JSON is camelCase on the wire.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The docs pages load their JavaScript and CSS from our static files (whitenoise), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator badge: Swagger UI would otherwise send the schema's URL to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "CAMELIZE_NAMES": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.contrib.djangorestframework_camel_case.camelize_serializer_fields",
        "drf_spectacular.hooks.postprocess_schema_enums",
    ],
    # Choice sets whose field names repeat across apps get explicit names in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CostScenarioEnum": "assessments.models.CostCalculation.Scenario",
        "AssessmentStatusEnum": "assessments.models.AssessmentSession.Status",
        "BusinessCaseStatusEnum": "assessments.models.BusinessCase.Status",
        "BusinessCaseTypeEnum": "assessments.models.BusinessCase.Type",
        "BusinessCaseRequestTypeEnum": ["pilot", "full", "full_implementation"],
        "SearchHitTypeEnum": ["product", "cost_calculation", "business_case"],
        "CompanyProfileStatusEnum": "integrations.research.models.CompanyProfile.Status",
    },
}

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:3000"])
CORS_EXPOSE_HEADERS = [
    "X-Request-ID", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
    "Deprecation", "Sunset", "Link",
]  # fmt: skip
CORS_ALLOW_HEADERS = [*default_cors_headers, "x-api-key", "x-request-id"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names + far-future cache headers from whitenoise: safe behind a CDN.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 31_536_000
# Any S3-compatible store (AWS S3, MinIO, R2) replaces the local disk when a bucket is named.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Empty: boto3's own credential chain (instance role, ~/.aws).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=""),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=""),
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "signature_version": "s3v4",
            "default_acl": None,  # objects stay private: reached only through presigned links
            "file_overwrite": True,
        },
    }
# Exports (exports app): files kept this long after rendering; a download link lives at most this long.
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=24)
EXPORT_LINK_TTL_SECONDS = env.int("EXPORT_LINK_TTL_SECONDS", default=24 * 3600)
# File links answer Cache-Control: private (one customer's bytes); public only with a CDN in front of them.
EXPORT_LINKS_CDN = env.bool("EXPORT_LINKS_CDN", default=False)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# --- Security (production) ------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=IS_PRODUCTION)
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# /healthz and /readyz are probed over plain HTTP by load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- AI gateway (integrations.ai) ---------------------------------------------------------
# No key for a provider: it is skipped. No key at all: the offline provider answers (deterministic,
# marked "source": "offline"). Base URLs: OpenAI's ends with /v1, Anthropic's has none.
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1")
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="https://api.anthropic.com")
AI_REQUEST_TIMEOUT_SECONDS = env.float("AI_REQUEST_TIMEOUT_SECONDS", default=60.0)
# Ordered fallback chain per operation ("provider:model"); "default" covers the others.
AI_MODEL_CHAINS = env.json(
    "AI_MODEL_CHAINS",
    default={"default": ["openai:gpt-4o-mini", "anthropic:claude-3-5-sonnet-20241022"]},
)
# USD per 1M tokens (input, output), for the usage ledger.
AI_PRICES = env.json(
    "AI_PRICES",
    default={
        "gpt-4o-mini": [0.15, 0.60],
        "gpt-4o": [2.50, 10.00],
        "claude-3-opus-20240229": [15.00, 75.00],
        "claude-3-5-sonnet-20241022": [3.00, 15.00],
        "claude-3-5-haiku-20241022": [0.25, 1.25],
        "claude-sonnet-4-20250514": [3.00, 15.00],
    },
)
# Shared limits per provider/model, counted in Redis across every process (sliding window).
AI_TOKENS_PER_MINUTE = env.int("AI_TOKENS_PER_MINUTE", default=10_000)
AI_REQUESTS_PER_MINUTE = env.int("AI_REQUESTS_PER_MINUTE", default=500)
AI_RATE_WINDOW_SECONDS = env.float("AI_RATE_WINDOW_SECONDS", default=60.0)
# How long a call may wait for room under the limits before its job is rescheduled.
AI_LIMIT_MAX_WAIT_SECONDS = env.float("AI_LIMIT_MAX_WAIT_SECONDS", default=90.0)
# Not evictable: limiter, breaker and quota counters (the broker's Redis server, its own database).
AI_REDIS_URL = env.str("AI_REDIS_URL", default="") or f"{REDIS_URL}/4"
AI_ATTEMPTS_PER_MODEL = env.int("AI_ATTEMPTS_PER_MODEL", default=3)
AI_RETRY_BASE_SECONDS = env.float("AI_RETRY_BASE_SECONDS", default=1.0)
AI_BREAKER_FAILURES = env.int("AI_BREAKER_FAILURES", default=5)
AI_BREAKER_COOLDOWN_SECONDS = env.float("AI_BREAKER_COOLDOWN_SECONDS", default=30.0)
AI_CACHE_TTL_SECONDS = env.int("AI_CACHE_TTL_SECONDS", default=24 * 3600)
AI_MONTHLY_BUDGET_USD = env.float("AI_MONTHLY_BUDGET_USD", default=500.0)
AI_BUDGET_ALERT_RATIO = env.float("AI_BUDGET_ALERT_RATIO", default=0.8)
# AI operations per tier: (count, window seconds); domain.md section 12.
AI_TIER_QUOTAS = env.json(
    "AI_TIER_QUOTAS",
    default={"anonymous": [3, 86400], "free": [5, 86400], "trial": [15, 86400], "paid": [100, 3600]},
)

# --- Webhooks in and out, Make.com (integrations.webhooks, integrations.make) --------------
# Inbound senders and their active Standard Webhooks secrets (several during a rotation), JSON:
# {"make": ["whsec_...", "whsec_..."]}. A source without secrets is not accepted (404).
INBOUND_WEBHOOK_SECRETS = env.json("INBOUND_WEBHOOK_SECRETS", default={})
# Extra modules imported at startup that register inbound sources/handlers (domain apps register
# theirs from AppConfig.ready(); tests add theirs to the worker this way).
WEBHOOK_HANDLER_MODULES = env.list("WEBHOOK_HANDLER_MODULES", default=[])
# Processing attempts of an inbound webhook before its dead letter; retries back off exponentially
# from WEBHOOK_PROCESS_RETRY_SECONDS (with jitter).
WEBHOOK_PROCESS_MAX_ATTEMPTS = env.int("WEBHOOK_PROCESS_MAX_ATTEMPTS", default=5)
WEBHOOK_PROCESS_RETRY_SECONDS = env.float("WEBHOOK_PROCESS_RETRY_SECONDS", default=5.0)
# Seconds a receiver has to answer one outbound delivery attempt.
WEBHOOK_DELIVERY_TIMEOUT = env.float("WEBHOOK_DELIVERY_TIMEOUT", default=10.0)
WEBHOOK_ENDPOINT_DISABLE_AFTER_DAYS = env.int("WEBHOOK_ENDPOINT_DISABLE_AFTER_DAYS", default=5)
WEBHOOK_ENDPOINT_REQUIRE_HTTPS = env.bool("WEBHOOK_ENDPOINT_REQUIRE_HTTPS", default=IS_PRODUCTION)
# Customer endpoints resolving to loopback/private/link-local addresses are refused (SSRF) in production.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=not IS_PRODUCTION)
# Make.com scenario webhook URLs (domain.md section 10); unset = that trigger answers 503.
MAKE_ICP_WEBHOOK = env.str("MAKE_ICP_WEBHOOK", default="")
MAKE_COST_CALCULATOR_WEBHOOK = env.str("MAKE_COST_CALCULATOR_WEBHOOK", default="")
MAKE_BUSINESS_CASE_WEBHOOK = env.str("MAKE_BUSINESS_CASE_WEBHOOK", default="")
# Optional whsec_ secret to sign triggers to Make (its scenarios may verify them).
MAKE_WEBHOOK_SECRET = env.str("MAKE_WEBHOOK_SECRET", default="")
MAKE_EXECUTION_TIMEOUT_MINUTES = env.int("MAKE_EXECUTION_TIMEOUT_MINUTES", default=30)

# --- E-mail (integrations.email; queue `email`) ----------------------------------------------
# SMTP when EMAIL_HOST is set, else printed to the console (local runs).
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default=f"django.core.mail.backends.{'smtp' if EMAIL_HOST else 'console'}.EmailBackend"
)
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=bool(EMAIL_HOST_USER))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Andru <no-reply@andru-ai.com>")
EMAIL_SITE_NAME = env.str("EMAIL_SITE_NAME", default="Andru")
# Links in e-mails point at the web frontend, or at this API (admin pages, export files).
FRONTEND_URL = env.str("FRONTEND_URL", default="http://localhost:3000")
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

# --- Demo data (make run) -------------------------------------------------------------------
DEMO_OWNER_EMAIL = env.str("DEMO_OWNER_EMAIL", default="owner@demo.example.com")
DEMO_OWNER_PASSWORD = env.str("DEMO_OWNER_PASSWORD", default="demo-owner-password")
DEMO_STAFF_EMAIL = env.str("DEMO_STAFF_EMAIL", default="staff@demo.example.com")
DEMO_STAFF_PASSWORD = env.str("DEMO_STAFF_PASSWORD", default="demo-staff-password")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Airtable sync (issue 14) ---------------------------------------------------------------
# pyairtable's endpoint, without /v0 (tests point it at their fake server).
AIRTABLE_API_URL = env.str("AIRTABLE_API_URL", default="https://api.airtable.com")
# Tokens are encrypted at rest with a key derived from this (or DJANGO_SECRET_KEY when empty).
AIRTABLE_ENCRYPTION_KEY = env.str("AIRTABLE_ENCRYPTION_KEY", default="")
# Airtable's limits, enforced across every process in Redis (not evictable: the broker's server).
AIRTABLE_BASE_RPS = env.int("AIRTABLE_BASE_RPS", default=5)
AIRTABLE_TOKEN_RPS = env.int("AIRTABLE_TOKEN_RPS", default=50)
AIRTABLE_RATE_LIMIT_PAUSE_SECONDS = env.float("AIRTABLE_RATE_LIMIT_PAUSE_SECONDS", default=30.0)
AIRTABLE_REDIS_URL = env.str("AIRTABLE_REDIS_URL", default="") or f"{REDIS_URL}/5"
AIRTABLE_REQUEST_TIMEOUT_SECONDS = env.float("AIRTABLE_REQUEST_TIMEOUT_SECONDS", default=30.0)
# 5xx and timeouts: attempts per request (backoff with jitter from the base), then the job retries later.
AIRTABLE_MAX_ATTEMPTS = env.int("AIRTABLE_MAX_ATTEMPTS", default=5)
AIRTABLE_RETRY_BASE_SECONDS = env.float("AIRTABLE_RETRY_BASE_SECONDS", default=1.0)
# Clock skew allowed between Airtable and us: an incremental pull re-reads changes made up to this
# long before the previous pull began (records seen before are de-duplicated).
AIRTABLE_CURSOR_OVERLAP_SECONDS = env.float("AIRTABLE_CURSOR_OVERLAP_SECONDS", default=5.0)
# --- Analytics (issue 18) -------------------------------------------------------------------
# The events buffer (platform_core.analytics): flushed at least this often, or at this many events.
ANALYTICS_FLUSH_INTERVAL_S = env.float("ANALYTICS_FLUSH_INTERVAL_S", default=1.0)
ANALYTICS_FLUSH_BATCH = env.int("ANALYTICS_FLUSH_BATCH", default=2000)
ANALYTICS_BUFFER_MAX = env.int("ANALYTICS_BUFFER_MAX", default=100_000)
# Daily partitions of the events table: kept this many days, created this many days ahead.
ANALYTICS_RETENTION_DAYS = env.int("ANALYTICS_RETENTION_DAYS", default=400)
ANALYTICS_PARTITIONS_AHEAD_DAYS = env.int("ANALYTICS_PARTITIONS_AHEAD_DAYS", default=7)
ANALYTICS_MINUTE_ROLLUP_DAYS = env.int("ANALYTICS_MINUTE_ROLLUP_DAYS", default=2)
# Events may be this old (hours) or this far ahead (seconds) when they reach the server.
ANALYTICS_EVENT_MAX_AGE_HOURS = env.int("ANALYTICS_EVENT_MAX_AGE_HOURS", default=24)
ANALYTICS_EVENT_MAX_FUTURE_S = env.int("ANALYTICS_EVENT_MAX_FUTURE_S", default=300)
ANALYTICS_INGEST_MAX_BATCH = env.int("ANALYTICS_INGEST_MAX_BATCH", default=100)
ANALYTICS_PROPERTIES_MAX_BYTES = env.int("ANALYTICS_PROPERTIES_MAX_BYTES", default=2048)
ANALYTICS_FOLD_INTERVAL_S = env.float("ANALYTICS_FOLD_INTERVAL_S", default=2.0)
RATE_LIMITS = {"analytics_ingest": "300/15m", **RATE_LIMITS}  # POST /analytics/events; overrides still win
# The analytics replica (config.db_router): skipped while it replays more than this far behind.
REPLICA_MAX_LAG_S = env.float("REPLICA_MAX_LAG_S", default=10.0)
REPLICA_CHECK_INTERVAL_S = env.float("REPLICA_CHECK_INTERVAL_S", default=2.0)
if "replica" in DATABASES:
    # A standby cannot create a test database: it replicates the primary's (tests/conftest.py).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    # Pooled connections are checked before use: after a standby restart none of them is stale.
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
from celery.schedules import crontab  # noqa: E402 - the analytics block's one import

CELERY_BEAT_SCHEDULE |= {
    # Live dashboards: new events reach the rollups and the sockets within a few seconds.
    "analytics-fold": {
        "task": "realtime.tasks.analytics_fold",
        "schedule": ANALYTICS_FOLD_INTERVAL_S,
        "options": {"expires": ANALYTICS_FOLD_INTERVAL_S * 5},
    },
    # The staff dashboard's materialized views; a minute is as fresh as staff need the history.
    "analytics-views-refresh": {
        "task": "realtime.tasks.analytics_views_refresh",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The weekly platform report to staff (PDF by e-mail; exports.reports), Monday 06:00 UTC.
    "platform-report-weekly": {
        "task": "exports.tasks.platform_report_send",
        "schedule": crontab(minute=0, hour=6, day_of_week=1),
        "options": {"expires": 3600},
    },
    # Partitions a week ahead and retention; hourly, so a missed run never leaves a day without one.
    "analytics-partitions": {
        "task": "realtime.tasks.analytics_partitions_maintain",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}
# The staff dashboard's socket; empty: /ws/ on the page's own host (behind nginx). make run: ws://127.0.0.1:8001/ws/.
ANALYTICS_DASHBOARD_WS_URL = env.str("ANALYTICS_DASHBOARD_WS_URL", default="")
# --- Observability (issue 17) -------------------------------------------------------------
# /metrics: with a token, only `Authorization: Bearer <METRICS_TOKEN>`; without, loopback clients only.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Where every process writes its metrics (prometheus multiprocess mode); unset = this process only.
# scripts/serve.sh and config/gunicorn.conf.py set it; it must be set before prometheus_client loads.
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
# Log lines: "console" (readable, make run) or "json" (one object per line, for log aggregation).
LOG_FORMAT = env.str("LOG_FORMAT", default="console")
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=True)  # one line per request: route, status, duration
LOGGING["formatters"] = {
    "plain": {"()": "platform_core.observability.logs.ConsoleFormatter"},
    "json": {"()": "platform_core.observability.logs.JsonFormatter"},
}
LOGGING["handlers"] = {
    "console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "plain"}
}
# Statements slower than this are logged (logger platform.db.slow) with their request id and SQL shape.
SLOW_QUERY_MS = env.int("SLOW_QUERY_MS", default=200)
# Sentry: errors and traces when a DSN is set (Django, Celery and Redis integrations, scrubbed events).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="") or DJANGO_ENV
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from platform_core.observability.errors import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )
# Staff are e-mailed when this many dead letters are open (at most once per interval); 0 = never.
DEAD_LETTER_ALERT_THRESHOLD = env.int("DEAD_LETTER_ALERT_THRESHOLD", default=10)
DEAD_LETTER_ALERT_INTERVAL_SECONDS = env.int("DEAD_LETTER_ALERT_INTERVAL_SECONDS", default=3600)
# A Celery worker's main process serves its own metrics on this port when set (worker containers).
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
# --- Research: browser pool, fetch rules, company profiles (integrations.research; issue 15) ---
# Debian's chromium driven by Playwright (Playwright's own browser download is not used).
BROWSER_EXECUTABLE_PATH = env.str("BROWSER_EXECUTABLE_PATH", default="/usr/bin/chromium")
# Pages rendering at once on one host, across all research worker processes (a Redis semaphore).
BROWSER_POOL_SIZE = env.int("BROWSER_POOL_SIZE", default=5)
# A browser (all its processes) whose RSS passes this is killed and replaced; its task retries.
BROWSER_MAX_RSS_MB = env.int("BROWSER_MAX_RSS_MB", default=2048)
BROWSER_PAGE_TIMEOUT_S = env.float("BROWSER_PAGE_TIMEOUT_S", default=20.0)
# How long a task waits for a free page slot before it is retried later.
BROWSER_SLOT_WAIT_S = env.float("BROWSER_SLOT_WAIT_S", default=60.0)
# Launch the browser when a worker process starts instead of at its first page.
BROWSER_PREWARM = env.bool("BROWSER_PREWARM", default=False)
# Replace a browser after this many pages (bounds slow leaks inside Chromium).
BROWSER_MAX_PAGES_PER_BROWSER = env.int("BROWSER_MAX_PAGES_PER_BROWSER", default=200)
RESEARCH_USER_AGENT = env.str(
    "RESEARCH_USER_AGENT", default="AndruResearchBot/1.0 (+https://andru-ai.com/bot; company research for Andru)"
)
# Private, loopback and link-local targets are always refused except inside these networks (tests: loopback).
RESEARCH_ALLOWED_NETWORKS = env.list(
    "RESEARCH_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"] if DJANGO_ENV == "test" else []
)
RESEARCH_DOMAIN_RATE_PER_SECOND = env.float("RESEARCH_DOMAIN_RATE_PER_SECOND", default=2.0)
RESEARCH_ROBOTS_CACHE_SECONDS = env.int("RESEARCH_ROBOTS_CACHE_SECONDS", default=3600)
RESEARCH_MAX_PAGE_BYTES = env.int("RESEARCH_MAX_PAGE_BYTES", default=10 * 1024 * 1024)
RESEARCH_MAX_PAGES = env.int("RESEARCH_MAX_PAGES", default=5)
RESEARCH_CACHE_HOURS = env.int("RESEARCH_CACHE_HOURS", default=24)
RESEARCH_SCREENSHOT_LINK_TTL_SECONDS = env.int("RESEARCH_SCREENSHOT_LINK_TTL_SECONDS", default=24 * 3600)
# Semaphore, per-domain limits: counters that must not be evicted (the same database as the AI limits).
RESEARCH_REDIS_URL = env.str("RESEARCH_REDIS_URL", default="") or f"{REDIS_URL}/4"
# --- Security hardening (issue 13) ----------------------------------------------------------
# JSON bodies nested deeper or holding more values than this answer 400 parse_error (platform_core.parsers).
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)
JSON_MAX_ITEMS = env.int("JSON_MAX_ITEMS", default=20000)
# Hours the e-mail verification link sent at registration works (platform_core.services.accounts).
EMAIL_VERIFICATION_HOURS = env.int("EMAIL_VERIFICATION_HOURS", default=48)
# /admin/login/ (django-ratelimit): POSTs per source IP, and per account from one source. Failures
# lock an account+source pair like the API (LOGIN_MAX_FAILURES, LOGIN_LOCKOUT_MINUTES).
ADMIN_LOGIN_IP_RATE = env.str("ADMIN_LOGIN_IP_RATE", default="30/15m")
ADMIN_LOGIN_RATE = env.str("ADMIN_LOGIN_RATE", default="10/15m")
RATELIMIT_USE_CACHE = "default"
# The admin's header and browser title (platform_core.admin); the product's name by default.
ADMIN_SITE_HEADER = env.str("ADMIN_SITE_HEADER", default="") or f"{EMAIL_SITE_NAME} platform admin"
# Without any AI key the offline provider answers (canned, "source": "offline") only where this is on:
# development and tests. In production no key means 503 ai_unavailable (integrations.ai.gateway).
AI_OFFLINE_ALLOWED = env.bool("AI_OFFLINE_ALLOWED", default=not IS_PRODUCTION)
# The staff health page (/admin/health/): its socket ("" = /ws/ on the page's own host) and push period.
STAFF_HEALTH_WS_URL = env.str("STAFF_HEALTH_WS_URL", default="")
STAFF_HEALTH_PUSH_SECONDS = 10  # the beat entry "publish-staff-health"

# --- Topology and connection resilience (issue 19) ---
from platform_core.resilience import redis_retry  # noqa: E402

# A pooled connection idle this long gets a real round trip on checkout (a terminated one is caught
# without it: its socket is readable); see platform_core.resilience.
DB_POOL_CHECK_IDLE_SECONDS = env.float("DB_POOL_CHECK_IDLE_SECONDS", default=30.0)
# A checkout waits this long, then tries one connection itself; when that fails too it gives up: a stopped
# PostgreSQL answers 503 `database` in about a second (a second one for a retried GET).
DB_POOL_FAIL_FAST_SECONDS = env.float("DB_POOL_FAIL_FAST_SECONDS", default=1.0)
# Redis calls of the cache, the gate and the limiter: a dropped connection is resent once; a frozen
# server costs one timeout, then 503 dependency_unavailable.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=2.0)
CACHES["default"]["OPTIONS"].update(
    SOCKET_CONNECT_TIMEOUT=REDIS_SOCKET_TIMEOUT,
    SOCKET_TIMEOUT=REDIS_SOCKET_TIMEOUT,
    CONNECTION_POOL_KWARGS={**CACHES["default"]["OPTIONS"]["CONNECTION_POOL_KWARGS"], "retry": redis_retry()},
)
# Celery's broker and results: bounded waits and a short publish retry, so a frozen broker gives a 503
# (`broker`) within seconds instead of a hang.
# max_retries/interval_*: how often a publish (re)connects to a broker that is down before it gives up; kombu's
# default is forever, which held a request until the client gave up.
CELERY_BROKER_TRANSPORT_OPTIONS.update(
    socket_timeout=REDIS_SOCKET_TIMEOUT,
    socket_connect_timeout=REDIS_SOCKET_TIMEOUT,
    max_retries=2,
    interval_start=0,
    interval_step=0.2,
    interval_max=0.5,
)
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_REDIS_RETRY_ON_TIMEOUT = False
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
