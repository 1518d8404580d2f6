"""Settings of the ticketing platform, one module configured from the environment.

`DJANGO_ENV` picks the profile: `development` (the default: safe local defaults),
`test` (what pytest uses) or `production` (every secret must come from the environment,
and `manage.py check --deploy` passes with no warnings). Per-tenant policy (currency,
time zone, branding, payment keys) lives in the tenant's rows, never here.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Under pytest the test profile is the default; pytest-django reads these settings
# before any conftest.py could set the variable.
DJANGO_ENV = env.str("DJANGO_ENV", default="test" if "pytest" in sys.modules else "development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise environ.ImproperlyConfigured(
        f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"

# --- core -------------------------------------------------------------------------------

if PRODUCTION:
    # No default: a production process without its own key must not start.
    SECRET_KEY = env.str("SECRET_KEY")
else:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="development-only-key-never-use-in-production-0123456789abcdef"
    )
# Rotating SECRET_KEY without signing everyone out: the new key in SECRET_KEY, the old one
# here (comma-separated) until sessions, password-reset and email links signed with it
# have expired (two weeks); they still verify meanwhile. JWTs follow the same rule unless
# they have a key of their own (JWT_SIGNING_KEY, below).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "development")

# Data keys that seal secrets at rest (payment keys, webhook secrets, signing keys):
# base64 of 32 bytes each, the current key first, older ones after it to keep opening
# what they sealed (tenants.crypto). `python -c "from tenants.crypto import new_key;
# print(new_key())"` makes one. Outside production a key derived from SECRET_KEY will do.
if PRODUCTION:
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
else:
    import base64 as _base64
    import hashlib as _hashlib

    FIELD_ENCRYPTION_KEYS = env.list(
        "FIELD_ENCRYPTION_KEYS",
        default=[
            _base64.urlsafe_b64encode(
                _hashlib.sha256(b"field-encryption:" + SECRET_KEY.encode()).digest()
            ).decode()
        ],
    )

# The apex domain serves the platform; `<slug>.<PLATFORM_DOMAIN>` serves a tenant.
PLATFORM_DOMAIN = env.str("PLATFORM_DOMAIN", default="localhost").lower()
# Host validation is done by the tenant middleware: a host that is not a row in the
# Domain table gets 404 before anything else runs. Tenants may add custom domains at any
# time, so a static list here would have to be redeployed for each of them.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])

# --- applications -----------------------------------------------------------------------

# Django's own apps that every schema needs: users live in both the public schema
# (platform staff) and each tenant schema (that chain's staff and customers), and the
# user table's foreign keys (permissions, content types, sessions, token blacklist) must
# sit in the same schema as the user they point to (django-tenants #955).
_PER_SCHEMA_DJANGO_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin.apps.SimpleAdminConfig",
    "rest_framework_simplejwt.token_blacklist",
    # Failed sign-ins are counted (lockout) and second factors kept per schema, beside
    # the users they belong to: one chain's attempts never lock out another's customer.
    "axes",
    "django_otp",
    "venue_apps.accounts",
]

SHARED_APPS = [
    "django_tenants",
    "tenants",
    # The platform's own business: plans, invoices, sign-ups (tenants/billing).
    "tenants.billing",
    *_PER_SCHEMA_DJANGO_APPS,
    "django.contrib.staticfiles",
    "rest_framework",
    "corsheaders",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_vite",
    "channels",
    "ticketing_platform.apps.TicketingPlatformConfig",
]

TENANT_APPS = [
    *_PER_SCHEMA_DJANGO_APPS,
    "django.contrib.postgres",
    "import_export",
    # The chain's audit log: the bottom layer, which every app below may write to.
    "venue_apps.audit",
    "venue_apps.venues",
    "venue_apps.catalog",
    "venue_apps.shows",
    "venue_apps.inventory",
    "venue_apps.orders",
    "venue_apps.payments",
    "venue_apps.tickets",
    "venue_apps.sales",
    "venue_apps.tills",
    # The waiting room of on-sales (a queue in front of a show's holds).
    "venue_apps.waiting_room",
    # Customers' Google and Facebook identities, in their chain's schema.
    "social_django",
]

INSTALLED_APPS = list(dict.fromkeys(SHARED_APPS + TENANT_APPS))

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New tenants are cloned from this migrated, empty schema instead of replaying every
# migration (tenants.services.template_schema_ensure keeps it current).
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# `migrate_schemas --executor=multiprocessing` forks its workers: ours closes every
# connection pool first, so no child inherits the parent's sockets (DB_POOL_MAX_SIZE).
GET_EXECUTOR_FUNCTION = "tenants.migration_executors.executor_for"

MIDDLEWARE = [
    # The proxy's X-Request-ID (or a new id) on every log line of the request; reads no
    # data, so it may run before the tenant is picked (and so name its log lines too).
    "ticketing_platform.request_id.RequestIdMiddleware",
    # NUL bytes in the address and oversized API bodies: a 4xx before any host lookup.
    "ticketing_platform.bad_requests.MalformedRequestMiddleware",
    # Then it picks the schema (or refuses the host) before anything reads data.
    "tenants.middleware.TenantResolutionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ticketing_platform.security.ContentSecurityPolicyMiddleware",  # django-csp's
    "ticketing_platform.security.PermissionsPolicyMiddleware",
    "ticketing_platform.static_middleware.StaticFilesMiddleware",  # WhiteNoise
    "ticketing_platform.security.CorsMiddleware",  # django-cors-headers'
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dashboards.middleware.TenantTimezoneMiddleware",
    "dashboards.middleware.LazyMessageMiddleware",  # Django's, made on first use
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it answers a locked-out dashboard sign-in (the API answers for itself).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ticketing_platform.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "ticketing_platform.urls_public"
WSGI_APPLICATION = "ticketing_platform.wsgi.application"
ASGI_APPLICATION = "ticketing_platform.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The dashboards' own pages (the door scanner) and the storefront's HTML shell;
        # neither dashboards nor api is an app.
        "DIRS": [
            BASE_DIR / "dashboards" / "templates",
            BASE_DIR / "api" / "storefront" / "templates",
        ],
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

# --- data stores ------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default="postgres://ticketing:ticketing@127.0.0.1:54329/ticketing",
        engine="tenants.postgresql_backend",
    )
}
# Persistent connections save a connect per request; schema switching only sets the
# search_path, so one connection serves every tenant. Never put PgBouncer in
# transaction mode in front of this (django-tenants #545, #1112): session mode only.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"]["connect_timeout"] = 5
# A connection pool per process (psycopg's, through Django) instead of one persistent
# connection per thread: under ASGI every sync view runs on a thread of its own, and
# per-thread connections exhaust PostgreSQL's max_connections under load. Size it so
# that processes x DB_POOL_MAX_SIZE stays below max_connections (or the pooler's).
DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=0)
if DB_POOL_MAX_SIZE:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": env.int("DB_POOL_TIMEOUT", default=10),
        # psycopg's check, but only for a connection idle for a second or more
        # (tenants/postgresql_backend/base.py); CONN_HEALTH_CHECKS would check every loan.
        "check": "tenants.postgresql_backend.base.check_after_idle",
    }
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Send `SET search_path` only when the schema changed, not before every query.
# django-tenants 4 forgets the path on rollback and savepoint rollback (PostgreSQL undoes
# a SET made inside them), so the saving is safe; tenants/tests/test_search_path.py
# keeps it so.
TENANT_LIMIT_SET_CALLS = env.bool("TENANT_LIMIT_SET_CALLS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: the cache, the channel layer, the broker and the results -------------------
#
# Four uses with different needs, each movable on its own. The cache may lose any key at
# any time and should: its Redis runs with `maxmemory-policy allkeys-lru` and a
# `maxmemory`, so a flood of cached pages evicts the oldest instead of failing writes.
# The broker's queues (and unacked tasks), the channel layer's groups and the task
# results must never be evicted: an evicted queue is a lost e-ticket or refund, so they
# live on a Redis with `noeviction` (which refuses writes when full rather than dropping
# data). The eviction policy is per Redis server, not per database, so production runs
# two servers (deploy/compose.yaml, deploy/k8s/redis.yaml). Each URL defaults to
# REDIS_URL: one small Redis is enough for development and tests, whose copies share one
# local server, each in its own database (`.local/env`).
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:63799/0")
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default=REDIS_URL)
CHANNELS_REDIS_URL = env.str("CHANNELS_REDIS_URL", default=REDIS_URL)

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": CACHE_REDIS_URL,
        # Every key is prefixed with the schema of the connection that made it, so two
        # tenants never read each other's entries (django-tenants #599).
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="tp"),
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
            # Redis is a cache, never the source of truth: when it is down, reads fall
            # through to PostgreSQL instead of failing the request.
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# The live seat maps' layer (`CHANNEL_LAYER`), measured against each other in
# tests/benchmarks/bench_watchers.py: "lists" is channels-redis's RedisChannelLayer,
# one Redis push per group member; "pubsub" its RedisPubSubChannelLayer, one PUBLISH
# per message, each process subscribed once per group and queueing it for each member
# socket's consumer; "fanout" (the default) publishes the same way, and each process's
# seat sockets take the message from one subscriber of their own
# (api/realtime/fanout.py), with no channel per socket. Pub/sub keeps nothing for a
# process that is not subscribed: a missed delta is a version gap, and the client asks
# for a snapshot, as after any drop.
CHANNEL_LAYER = env.str("CHANNEL_LAYER", default="fanout")
if CHANNEL_LAYER not in ("fanout", "pubsub", "lists"):
    raise environ.ImproperlyConfigured('CHANNEL_LAYER must be "fanout", "pubsub" or "lists".')
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [CHANNELS_REDIS_URL],
            "prefix": env.str("CHANNELS_PREFIX", default="tp-channels"),
        },
    }
    if CHANNEL_LAYER in ("fanout", "pubsub")
    else {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [CHANNELS_REDIS_URL],
            "prefix": env.str("CHANNELS_PREFIX", default="tp-channels"),
            "capacity": 1500,
            "expiry": 30,
        },
    }
}

# --- Celery (tenant-schemas-celery stamps each task with the sender's schema) ----------

# Both on a `noeviction` Redis in production (see the Redis section above).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_RESULT_EXPIRES = 3600
# Entries that touch tenants go through tenants.tasks.tenants_fan_out (beat itself runs
# in no tenant's schema).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Readers already treat lapsed holds as free; this frees the rows and tells live maps.
    "holds-expire": {
        "task": "tenants.tasks.tenants_fan_out",
        "schedule": 15.0,
        "args": ("venue_apps.sales.tasks.holds_expire_task",),
    },
    # Unpaid orders whose time is up end and give their seats and promo codes back.
    "orders-expire": {
        "task": "tenants.tasks.tenants_fan_out",
        "schedule": 30.0,
        "args": ("venue_apps.sales.tasks.orders_expire_task",),
    },
    # Ask the gateways about payments pending too long; resend stuck refunds.
    "payments-reconcile": {
        "task": "tenants.tasks.tenants_fan_out",
        "schedule": 300.0,
        "args": ("venue_apps.payments.tasks.payments_reconcile_task",),
        "kwargs": {"include_suspended": True},
    },
    # Once a chain is live its test-mode orders are voided (idempotent; a chain in test
    # mode is left alone). Going live also sends it at once; this pass is what makes
    # sure, even if that task was lost or an order was paid in the same moment.
    "test-orders-void": {
        "task": "tenants.tasks.tenants_fan_out",
        "schedule": 300.0,
        "args": ("venue_apps.sales.tasks.test_orders_void_task",),
    },
    # Tickets emails that never went out are sent again.
    "tickets-email-sweep": {
        "task": "tenants.tasks.tenants_fan_out",
        "schedule": 600.0,
        "args": ("venue_apps.tickets.tasks.tickets_email_sweep",),
    },
    # So are the customers' notices of cancellations and refunds (a suspended chain's
    # refunds still go out, and their customers are still told).
    "order-notices-sweep": {
        "task": "tenants.tasks.tenants_fan_out",
        "schedule": 600.0,
        "args": ("venue_apps.orders.tasks.order_notices_sweep",),
        "kwargs": {"include_suspended": True},
    },
    "expired-tokens-flush": {
        "task": "tenants.tasks.tenants_fan_out",
        "schedule": crontab(hour=3, minute=17),
        "args": ("venue_apps.accounts.tasks.expired_tokens_flush",),
        "kwargs": {"include_public": True, "include_suspended": True},
    },
    # --- issue 16, close: the monthly close (hourly on days 1 and 2: each chain's month
    # closes once its own zone has left it; running again issues nothing new) and the
    # console's copy of each chain's current month.
    "billing-month-close": {
        "task": "tenants.billing.tasks.month_close_task",
        "schedule": crontab(minute=5, day_of_month="1,2"),
    },
    "billing-usage-refresh": {
        "task": "tenants.billing.tasks.month_usage_refresh_task",
        "schedule": 600.0,
    },
    # --- end of issue 16, close
}
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / ".local" / "celerybeat-schedule")
)
# Keep our logging configuration (JSON lines with the tenant) in workers too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A task a worker took and never acknowledged (acks_late: the worker died, was
# OOM-killed or lost its node) goes back to the queue after this many seconds; Redis's
# default is an hour. It must stay above the longest a delivered task can wait and run
# unacknowledged, the longest retry countdown (retry_backoff_max, 600 s) plus the hard
# time limit, or a task still waiting or running is delivered a second time
# (tests/test_redis_and_celery_settings.py keeps it so).
# Fail fast when the broker is down: callers log and carry on (tenants.queue).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_max": 0.5,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=1200),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_max": 0.5}

# --- authentication ---------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out sign-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Customers' Google and Facebook sign-in (each chain's own OAuth clients).
    "venue_apps.accounts.social_auth.GoogleOAuth2",
    "venue_apps.accounts.social_auth.FacebookOAuth2",
]

# Lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account from
# one address, that pair waits AXES_COOLOFF_TIME. Never a whole address: a cinema's
# Wi-Fi or a mobile carrier puts many customers behind one. The account's ceiling on
# failures (`login_account`) bounds guessing spread over many addresses.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "venue_apps.accounts.lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "venue_apps.accounts.lockout.address_of"
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not make it longer (an attacker could keep a customer out).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "venue_apps.accounts.lockout.locked_out_response"
AXES_VERBOSE = False

# Google and Facebook sign-in (social-auth-app-django): each chain's own client id and
# secret come from its OAuthClient rows (venue_apps.accounts.social_auth.TenantStrategy).
SOCIAL_AUTH_STRATEGY = "venue_apps.accounts.social_auth.TenantStrategy"
SOCIAL_AUTH_JSONFIELD_ENABLED = True
SOCIAL_AUTH_USER_MODEL = "accounts.User"
SOCIAL_AUTH_GOOGLE_OAUTH2_USE_UNIQUE_USER_ID = True
SOCIAL_AUTH_GOOGLE_OAUTH2_SCOPE = ["openid", "email", "profile"]
SOCIAL_AUTH_FACEBOOK_SCOPE = ["email"]
SOCIAL_AUTH_FACEBOOK_PROFILE_EXTRA_PARAMS = {"fields": "id,name,email"}
SOCIAL_AUTH_FACEBOOK_API_VERSION = "19.0"
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "venue_apps.accounts.services.oauth.token_meant_for_us",
    "venue_apps.accounts.services.oauth.email_verified_required",
    "social_core.pipeline.social_auth.social_user",
    "venue_apps.accounts.services.oauth.customer_by_verified_email",
    "venue_apps.accounts.services.oauth.customer_created",
    "social_core.pipeline.social_auth.associate_user",
    "social_core.pipeline.social_auth.load_extra_data",
)
SOCIAL_AUTH_RAISE_EXCEPTIONS = True

# Two factors for staff (django-otp, with TOTP devices whose keys are sealed at rest).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Ticketing platform")
# Where the e-ticket finds the Noto fonts for names and titles beyond Latin-1 (Debian's
# fonts-noto-core; deploy/local/fonts.sh and the image install it). Colon-separated.
TICKET_FONT_DIRS = env.str("TICKET_FONT_DIRS", default="/usr/share/fonts/truetype/noto").split(":")
# Platform staff can onboard and suspend every chain: in production they must sign in
# with an authenticator app (the chains set their own staff's rule in the dashboard).
PLATFORM_STAFF_TWO_FACTOR = env.bool("PLATFORM_STAFF_TWO_FACTOR", default=PRODUCTION)
# One hasher per algorithm name: Django picks the verifier by the name in the hash,
# and our Argon2 subclass verifies any Argon2 hash (the parameters are in the hash).
PASSWORD_HASHERS = [
    "venue_apps.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Proxies of our own in front of the app (the ingress, nginx): the client's address is
# read from X-Forwarded-For counted from the right (tenants/addresses.py); 0 ignores it.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

REST_FRAMEWORK = {
    "NUM_PROXIES": NUM_PROXIES,
    # Bearer tokens first; then the chain dashboard's session (with CSRF), for the box
    # office screen that runs inside the dashboard.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TenantJWTAuthentication",
        "api.authentication.DashboardSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["api.json_codec.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.json_codec.ORJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.JSONFirstNegotiation",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    # At most 500 rows a page; relative next/previous links (api/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {
        "hold_client": env.str("THROTTLE_HOLD_CLIENT", default="30/min"),
        "hold_address": env.str("THROTTLE_HOLD_ADDRESS", default="600/min"),
        "checkout_client": env.str("THROTTLE_CHECKOUT_CLIENT", default="20/min"),
        "checkout_address": env.str("THROTTLE_CHECKOUT_ADDRESS", default="600/min"),
        # Sign-in: failed password checks per account, all addresses together (once
        # reached, only addresses the account has not signed in from are refused:
        # venue_apps.accounts.services.sign_in), and a generous ceiling per address.
        "login_account": env.str("THROTTLE_LOGIN_ACCOUNT", default="30/hour"),
        "login_address": env.str("THROTTLE_LOGIN_ADDRESS", default="300/min"),
        "register_address": env.str("THROTTLE_REGISTER_ADDRESS", default="60/hour"),
        # Password reset requests per account and address, and reset emails per account
        # to addresses it has not signed in from (past it, nothing is sent; same answer).
        "email_account": env.str("THROTTLE_EMAIL_ACCOUNT", default="5/hour"),
        "email_account_ceiling": env.str("THROTTLE_EMAIL_ACCOUNT_CEILING", default="20/hour"),
        "email_address": env.str("THROTTLE_EMAIL_ADDRESS", default="120/hour"),
    },
    # `format` is a filter of titles and shows (2d, imax...), not a renderer switch.
    "URL_FORMAT_OVERRIDE": None,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

# --- issue 16, sign-up: chains signing up on the apex domain (api/platform/signups.py).
# Sign-ups per address (an IPv6 client's /64) and per owner email; availability checks
# (the page asks as the user types) far more loosely.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].update(
    {
        "signup_address": env.str("THROTTLE_SIGNUP_ADDRESS", default="5/hour"),
        "signup_email": env.str("THROTTLE_SIGNUP_EMAIL", default="3/hour"),
        "signup_check_address": env.str("THROTTLE_SIGNUP_CHECK_ADDRESS", default="120/min"),
    }
)
# Task modules named other than `tasks` (autodiscovery finds only those): the sign-up's
# email, the dunning schedule and its emails.
CELERY_IMPORTS = [
    "tenants.billing.signup_tasks",
    "tenants.billing.dunning_tasks",
    "tenants.billing.mail",
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    # Access tokens carry a digest of the password hash: a new password ends them at once.
    "CHECK_REVOKE_TOKEN": True,
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default="") or SECRET_KEY,
    "ALGORITHM": "HS256",
    # Tokens name the schema that issued them and verify it against the request's schema.
    "AUTH_TOKEN_CLASSES": ("venue_apps.accounts.tokens.TenantAccessToken",),
    "TOKEN_OBTAIN_SERIALIZER": "api.accounts.serializers.TokenObtainSerializer",
    "TOKEN_REFRESH_SERIALIZER": "api.accounts.serializers.TokenRefreshSerializer",
    "TOKEN_BLACKLIST_SERIALIZER": "api.accounts.serializers.TokenBlacklistSerializer",
}

# Keys that still verify JWTs but sign none (simplejwt verifies with one key only, so
# venue_apps.accounts.tokens.RotatingTokenBackend tries these after it). Rotating
# JWT_SIGNING_KEY: the new key there, the old one here until the longest token
# (JWT_REFRESH_DAYS) has expired. Without a JWT key of its own the tokens follow
# SECRET_KEY, and so its fallbacks; moving to one of its own, list the SECRET_KEY here
# for that while.
JWT_SIGNING_KEY_FALLBACKS = (
    env.list("JWT_SIGNING_KEY_FALLBACKS", default=[])
    if env.str("JWT_SIGNING_KEY", default="")
    else SECRET_KEY_FALLBACKS
)

SPECTACULAR_SETTINGS = {
    "TITLE": "Ticketing platform API",
    "DESCRIPTION": "Platform API on the apex domain; tenant API on each chain's domain.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FormatEnum": "venue_apps.catalog.models.Format",
        "AccountRoleEnum": "venue_apps.accounts.models.Role",
        "StaffRoleEnum": "venue_apps.accounts.models.CHAIN_STAFF_ROLE_CHOICES",
        "CreditRoleEnum": "venue_apps.catalog.models.Credit.Role",
        "TitleKindEnum": "venue_apps.catalog.models.Kind",
        "PromoKindEnum": "venue_apps.orders.models.PromoCode.Kind",
        "PaymentProviderEnum": "venue_apps.payments.models.Provider",
        "OrderStatusEnum": "venue_apps.orders.models.Order.Status",
        "ShowStatusEnum": "venue_apps.shows.models.Show.Status",
        "ChannelEnum": "venue_apps.orders.models.Order.Channel",
        "SendChannelEnum": "venue_apps.tickets.services.Channel",
        "ShiftStatusEnum": "venue_apps.tills.models.Shift.Status",
        "InvoiceStatusEnum": "tenants.billing.models.Invoice.Status",
    },
}

# Host -> tenant answers kept per process: a suspension or a new domain is seen by other
# processes within this many seconds (at once by the process that made it).
TENANT_HOST_CACHE_SECONDS = env.float(
    "TENANT_HOST_CACHE_SECONDS", default=0.0 if DJANGO_ENV == "test" else 5.0
)

# Active anonymous holds allowed from one address (carts cost nothing to mint).
HOLDS_PER_ADDRESS = env.int("HOLDS_PER_ADDRESS", default=20)
# Anonymous places one address (an IPv6 /64) may take in one show's waiting room.
QUEUE_PLACES_PER_ADDRESS = env.int("QUEUE_PLACES_PER_ADDRESS", default=20)

# Admin imports keep the uploaded file between "check" and "confirm" in the cache
# (per tenant), not on one pod's disk, so any web pod can finish the import.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
IMPORT_EXPORT_USE_TRANSACTIONS = True

# --- i18n, static, media ----------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Collected files are served by WhiteNoise in production; elsewhere it serves them
# straight from the apps (WHITENOISE_USE_FINDERS), so no collectstatic is needed.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
# --- media: uploaded posters and logos (ticketing_platform/storage.py) ----------------
#
# Keyed by chain (tenants/<schema>/...). MEDIA_STORAGE=filesystem (the default: the demo,
# the tests, compose's volume) keeps them under MEDIA_ROOT; s3 in an S3-compatible
# bucket (AWS, MinIO, R2, GCS's XML API...), private unless MEDIA_S3_CUSTOM_DOMAIN names
# a public domain for it (a CDN, or a public-read bucket). Either way the chain's host
# serves `/media/tenants/<schema>/...` (api.storefront.media): from the disk, or as a
# redirect to a signed URL valid MEDIA_SIGNED_URL_SECONDS.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media")))
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
MEDIA_SIGNED_URL_SECONDS = env.int("MEDIA_SIGNED_URL_SECONDS", default=3600)
# Origins the pages may load images from besides their own (Content-Security-Policy).
MEDIA_ORIGINS: list[str] = []
if MEDIA_STORAGE == "filesystem":
    _media_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    _media_endpoint = env.str("MEDIA_S3_ENDPOINT_URL", default="")
    _media_domain = env.str("MEDIA_S3_CUSTOM_DOMAIN", default="")
    _media_bucket = env.str("MEDIA_S3_BUCKET")
    _media_region = env.str("MEDIA_S3_REGION", default="")
    _media_storage = {
        "BACKEND": "ticketing_platform.storage.ChainMediaS3Storage",
        "OPTIONS": {
            "bucket_name": _media_bucket,
            # Unset: the AWS SDK's own chain (instance or pod role, AWS_* variables).
            "access_key": env.str("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "endpoint_url": _media_endpoint or None,
            "region_name": _media_region or None,
            # Other S3-compatible services mostly want paths, AWS its bucket subdomains.
            "addressing_style": env.str(
                "MEDIA_S3_ADDRESSING_STYLE", default="path" if _media_endpoint else "virtual"
            ),
            "signature_version": "s3v4",
            "custom_domain": _media_domain or None,
            "querystring_auth": True,
            "querystring_expire": MEDIA_SIGNED_URL_SECONDS,
            # Objects get no ACL of their own: the bucket's policy decides who reads.
            "default_acl": None,
            # Uploads never replace a file (browsers cache them for a day by name).
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    }
    if _media_domain:
        MEDIA_ORIGINS = [f"https://{_media_domain}"]
    elif _media_endpoint:
        MEDIA_ORIGINS = ["/".join(_media_endpoint.split("/", 3)[:3])]
    else:
        MEDIA_ORIGINS = [
            f"https://{_media_bucket}.s3.{_media_region}.amazonaws.com"
            if _media_region
            else f"https://{_media_bucket}.s3.amazonaws.com"
        ]
else:
    raise environ.ImproperlyConfigured(
        f"MEDIA_STORAGE must be filesystem or s3, not {MEDIA_STORAGE!r}"
    )
MEDIA_ORIGINS = env.list("MEDIA_ORIGINS", default=MEDIA_ORIGINS)
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Browsers keep the storefront's hashed build files for a year without asking again
# (and Django's hashed files in production); everything else for WhiteNoise's minute.
from ticketing_platform.static import immutable_file_test  # noqa: E402

WHITENOISE_IMMUTABLE_FILE_TEST = immutable_file_test

# The storefront (React + TypeScript, built by Vite into frontend/dist; `make frontend`).
# Its files are served under /static/app/ (Vite's `base`), and django-vite reads the
# build's manifest to name them in the HTML shell (api/storefront). In development,
# DJANGO_VITE_DEV_MODE=true loads them from Vite's dev server instead, with hot reload.
FRONTEND_DIST = Path(env.str("FRONTEND_DIST", default=str(BASE_DIR / "frontend" / "dist")))
STATICFILES_DIRS = [("app", FRONTEND_DIST)]
DJANGO_VITE_DEV_SERVER = env.str("DJANGO_VITE_DEV_SERVER", default="http://localhost:5173")
DJANGO_VITE = {
    "default": {
        "dev_mode": env.bool("DJANGO_VITE_DEV_MODE", default=False),
        "dev_server_protocol": DJANGO_VITE_DEV_SERVER.split("://", 1)[0],
        "dev_server_host": DJANGO_VITE_DEV_SERVER.split("://", 1)[-1].rsplit(":", 1)[0],
        "dev_server_port": int(DJANGO_VITE_DEV_SERVER.rsplit(":", 1)[-1]),
        "static_url_prefix": "app",
        "manifest_path": FRONTEND_DIST / ".vite" / "manifest.json",
        # Reads the manifest again when a new build replaces it (no restart needed).
        "app_client_class": "api.storefront.vite.StorefrontViteClient",
    }
}
if not PRODUCTION:
    # Until someone runs `make frontend`, the build is missing: the storefront's pages
    # say so themselves (503 with the command), so the checks need not on every command.
    # In production a missing build is a deployment error and the checks report it.
    SILENCED_SYSTEM_CHECKS = ["django_vite.W001", "staticfiles.W004"]

# EMAIL_URL like smtp+tls://user:password@smtp.example.com:587 sets backend, host,
# port, credentials and TLS at once; without it, development prints mail to the console.
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND",
        default=(
            "django.core.mail.backends.smtp.EmailBackend"
            if PRODUCTION
            else "django.core.mail.backends.console.EmailBackend"
        ),
    )
# Text messages (the box office sends tickets' links by SMS): a backend class, as for
# email. The default records them in each chain's outbox, which the dashboard lists (no
# gateway yet); `venue_apps.tickets.sms.ConsoleBackend` prints them instead.
SMS_BACKEND = env.str("SMS_BACKEND", default="venue_apps.tickets.sms.OutboxBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"tickets@{PLATFORM_DOMAIN}")
# Links in emails (verify an address, reset a password) point at the chain's own host.
# Outside production, at the port the local server listens on (`PORT`, as `make demo`
# and deploy/local/demo.sh take it), so a demo on another port sends working links.
SITE_URL_TEMPLATE = env.str(
    "SITE_URL_TEMPLATE",
    default="https://{host}" if PRODUCTION else f"http://{{host}}:{env.int('PORT', default=8000)}",
)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 3600)

# --- security ---------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): only this origin's scripts, each inline script
# carrying the response's nonce; nothing may frame the pages. The storefront, the
# dashboards and the API docs all live on the chain's own host.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *MEDIA_ORIGINS],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "media-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Cameras only for this origin (the door scanner page), nothing else a page could ask for.
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(self)"

# CORS is closed: the storefront is served from each chain's own host, so no other
# origin needs the API. Integrators that need it are listed here explicitly.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
SESSION_COOKIE_HTTPONLY = True
# Health probes (liveness, readiness) come over plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz/((live|ready)/?)?$"]
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.list(
        "CSRF_TRUSTED_ORIGINS",
        default=[f"https://{PLATFORM_DOMAIN}", f"https://*.{PLATFORM_DOMAIN}"],
    )
else:
    CSRF_TRUSTED_ORIGINS = env.list(
        "CSRF_TRUSTED_ORIGINS", default=["http://localhost:8000", "http://*.localhost:8000"]
    )

# --- observability ----------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "tenant": {"()": "ticketing_platform.observability.TenantLogFilter"},
        "client_errors": {"()": "ticketing_platform.observability.ClientErrorFilter"},
        "expected_conflicts": {"()": "ticketing_platform.observability.ExpectedConflictFilter"},
    },
    "formatters": {
        "json": {
            # python-json-logger's, adding the request's id (X-Request-ID) when there is one.
            "()": "ticketing_platform.log_format.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(tenant)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(tenant)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["tenant", "client_errors"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Naming the logger drops the handlers Django's default configuration gave it
        # (a console handler when DEBUG is on, mail to ADMINS when it is off): its lines
        # reach the root handler alone, once each and with the tenant.
        "django": {"level": LOG_LEVEL},
        # On the logger, so a dropped line is never formatted or written.
        "django.request": {"filters": ["expected_conflicts"]},
        "django.db.backends": {"level": "WARNING"},
        "django_redis": {"level": "WARNING"},
    },
}

SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from ticketing_platform.observability import sentry_init

    sentry_init(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- onboarding -------------------------------------------------------------------------

# Steps of onboarding that belong to other apps, called in the new chain's schema inside
# the onboarding transaction (the tenants app cannot import them: it is the lowest layer).
TENANT_ONBOARDING_STEPS = [
    "venue_apps.tickets.services.onboarding_signing_key",
]

# --- issue 16, close: plans, subscriptions, the monthly close ---------------------------
# tenant_onboard puts a new chain on its plan (in the public schema, before its schema).
TENANT_SUBSCRIBE = "tenants.billing.services.tenant_subscribe"
# What the monthly close reads of a chain, in its schema: its ledger's live month.
BILLING_USAGE_READER = "venue_apps.payments.selectors.billing_usage"
# --- end of issue 16, close ---------------------------------------------------------------

# --- platform billing: charging and dunning (issue 16, "dunning") ----------------------

# The platform's own payment account, which charges chains for their invoices:
# "sandbox" (the demo; test card numbers, no network) or "stripe" with the platform's key.
PLATFORM_PAYMENTS = env.str("PLATFORM_PAYMENTS", default="sandbox").lower()
if PLATFORM_PAYMENTS not in ("sandbox", "stripe"):
    raise environ.ImproperlyConfigured("PLATFORM_PAYMENTS must be 'sandbox' or 'stripe'.")
PLATFORM_STRIPE_SECRET_KEY = env.str("PLATFORM_STRIPE_SECRET_KEY", default="")
# The active owners of the current chain schema (dunning emails them).
BILLING_OWNER_EMAILS = "venue_apps.accounts.selectors.owner_emails"
# Charge what is due, retry failed charges on days 1, 3 and 7, suspend after the grace.
CELERY_BEAT_SCHEDULE["billing-dunning"] = {
    "task": "tenants.billing.dunning_tasks.dunning_run_task",
    "schedule": 900.0,
}

# Schema names that can never be a tenant's: they would shadow the platform's own
# schemas or a host name the platform needs.
RESERVED_TENANT_SLUGS = frozenset(
    {
        "public",
        "www",
        "api",
        "admin",
        "platform",
        "static",
        "media",
        "mail",
        "app",
        "status",
        "tenant-template",
        "information-schema",
        "pg-catalog",
        "pg-toast",
    }
)

# --- test profile -----------------------------------------------------------------------

if DJANGO_ENV == "test":
    # Argon2 costs tens of milliseconds a hash by design; tests hash thousands.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # pytest-django runs against "test_<NAME>". Renaming NAME too means code that
    # slips past the test database set-up fails loudly instead of writing to the
    # development database.
    DATABASES["default"]["NAME"] += "_pytest"
    # Keep test keys, groups and tasks apart from a demo running on the same Redis.
    CACHES["default"]["KEY_PREFIX"] = "tp-test"
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = "tp-test-channels"
    CELERY_TASK_DEFAULT_QUEUE = "tp-test"
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    SMS_BACKEND = "venue_apps.tickets.sms.LocmemBackend"
    # Sign-ins in tests come from one address many times a minute; the limits that
    # matter are tested on their own (tests/test_abuse.py).
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].update(
        {
            "login_account": "1000/min",
            "login_address": "10000/min",
            "register_address": "10000/hour",
            "email_account": "1000/hour",
            "email_account_ceiling": "1000/hour",
            "email_address": "10000/hour",
        }
    )
