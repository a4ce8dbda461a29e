"""langportal settings, read from the environment only (12-factor).

Every value has a typed default that suits the local stack, except the secret key.
`make run` writes the local stack's values to var/local.env, which is read here when
it exists, so `python manage.py ...` in another terminal talks to the same stack.
Variables already set in the environment always win over the file.
"""

from pathlib import Path

import environ

from langportal.secrets import secret_from_ssm

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
LOCAL_ENV_FILE = env.str("LANGPORTAL_ENV_FILE", default=str(BASE_DIR / "var" / "local.env"))
if LOCAL_ENV_FILE and Path(LOCAL_ENV_FILE).is_file():
    environ.Env.read_env(LOCAL_ENV_FILE)

# --- Django core -------------------------------------------------------------
# The key itself, or (in AWS Lambda) the name of the SSM SecureString parameter holding it.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or secret_from_ssm(
    env.str("DJANGO_SECRET_KEY_PARAMETER", default=""), region=env.str("AWS_REGION", default="")
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "langportal.apps.LangportalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "langportal",
    "accounts",
    "vocabulary",
    "lrs",
    "ai_hints",
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

ROOT_URLCONF = "langportal.urls"
WSGI_APPLICATION = "langportal.wsgi.application"

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
            ],
        },
    },
]

# The relational database only caches Cognito identities; any instance may lose it.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.CognitoBackend"]
# Admin sessions live in a signed cookie: any server can read them, none stores them.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_SECONDS", default=8 * 3600)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
# Behind API Gateway and the load balancer, TLS ends before us; they say so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
# Asking browsers to preload HSTS for the domain is hard to undo, so it is the operator's
# choice (DJANGO_HSTS_PRELOAD), and `check --deploy` does not insist on it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancer probes speak plain HTTP

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "static")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {name: {"level": "WARNING"} for name in ("botocore", "urllib3", "pynamodb")},
}

# --- AWS ---------------------------------------------------------------------
# Endpoints are never set here: boto3, PynamoDB and django-storages read the standard
# AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables themselves. botocore does
# not read AWS_REGION, so every client is given this region explicitly.
AWS_REGION = env.str("AWS_REGION", default=env.str("AWS_DEFAULT_REGION", default="us-east-1"))
AWS_CONNECT_TIMEOUT = env.float("AWS_CONNECT_TIMEOUT", default=2.0)
AWS_READ_TIMEOUT = env.float("AWS_READ_TIMEOUT", default=5.0)
AWS_MAX_ATTEMPTS = env.int("AWS_MAX_ATTEMPTS", default=3)
# Seconds a client is told to wait (Retry-After) when a dependency is down.
AWS_RETRY_AFTER = env.int("AWS_RETRY_AFTER", default=5)

DYNAMODB_TABLE_PREFIX = env.str("DYNAMODB_TABLE_PREFIX", default="langportal-")

# --- Cognito -----------------------------------------------------------------
COGNITO_USER_POOL_ID = env.str("COGNITO_USER_POOL_ID", default="")
COGNITO_APP_CLIENT_IDS = env.list("COGNITO_APP_CLIENT_IDS", default=[])
# Tokens always name the AWS issuer; the key set may live elsewhere (an emulator).
COGNITO_ISSUER = env.str(
    "COGNITO_ISSUER", default=f"https://cognito-idp.{AWS_REGION}.amazonaws.com/{COGNITO_USER_POOL_ID}"
)
COGNITO_JWKS_URL = env.str("COGNITO_JWKS_URL", default=f"{COGNITO_ISSUER}/.well-known/jwks.json")
COGNITO_JWKS_TTL = env.int("COGNITO_JWKS_TTL", default=3600)
# How long past their TTL the cached keys stay in service while refetches fail.
COGNITO_JWKS_STALE_SECONDS = env.int("COGNITO_JWKS_STALE_SECONDS", default=21600)
# Seconds of leeway for `iat`, `nbf` and `exp`: our clock and Cognito's may differ a little.
COGNITO_CLOCK_LEEWAY = env.int("COGNITO_CLOCK_LEEWAY", default=5)
# Passwords of users made by `manage.py local_user` for the local user pool only.
LOCAL_USERS_FILE = env.path("LOCAL_USERS_FILE", default=BASE_DIR / "var" / "local-users.json")

# --- Media storage (S3 through django-storages) --------------------------------
MEDIA_BUCKET = env.str("MEDIA_BUCKET", default="langportal-media")
MEDIA_CUSTOM_DOMAIN = env.str("MEDIA_CUSTOM_DOMAIN", default="") or None
# Largest upload accepted by POST /api/words/upload, in bytes (413 above it).
MEDIA_MAX_UPLOAD_BYTES = env.int("MEDIA_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# "inline": process an upload (durations, sizes, thumbnails) right after storing it, as
# locally where no Lambda runs; "lambda": S3 notifies the media Lambda, which does it.
MEDIA_PROCESSING = env.str("MEDIA_PROCESSING", default="inline")
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "region_name": AWS_REGION,
            "custom_domain": MEDIA_CUSTOM_DOMAIN,
            "querystring_auth": MEDIA_CUSTOM_DOMAIN is None,
            "signature_version": "s3v4",
            "file_overwrite": True,  # keys are unique (see vocabulary.media); skip the existence check
        },
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- AI hints ------------------------------------------------------------------
# Providers tried in order until one answers: bedrock, transformers, offline.
AI_HINT_PROVIDERS = env.list("AI_HINT_PROVIDERS", default=["offline"])
AI_BEDROCK_MODEL_ID = env.str("AI_BEDROCK_MODEL_ID", default="mistral.mistral-7b-instruct-v0:2")
# A local copy of Mistral-7B-Instruct (a folder with config, weights and tokenizer).
AI_TRANSFORMERS_MODEL_PATH = env.str("AI_TRANSFORMERS_MODEL_PATH", default="")
# One hint request waits at most this long for models, all providers together; past
# it the next provider answers (offline always can) or the hint is a 503.
AI_HINT_DEADLINE_SECONDS = env.float("AI_HINT_DEADLINE_SECONDS", default=5.0)
# Model calls running at once in one web process. Half its threads (gunicorn.conf.py
# reads the same variable, with the same default), so that other requests always find
# threads while a model is slow; a hint that finds no free slot asks the next provider.
WEB_THREADS = env.int("GUNICORN_THREADS", default=4)
AI_MAX_CONCURRENT_CALLS = env.int("AI_MAX_CONCURRENT_CALLS", default=max(1, WEB_THREADS // 2))
# Per attempt of one model call, and never more than the deadline: a call given up on
# keeps its slot until these end it.
AI_CONNECT_TIMEOUT = env.float("AI_CONNECT_TIMEOUT", default=2.0)
AI_READ_TIMEOUT = env.float("AI_READ_TIMEOUT", default=10.0)
AI_MAX_ATTEMPTS = env.int("AI_MAX_ATTEMPTS", default=2)
AI_MAX_TOKENS = env.int("AI_MAX_TOKENS", default=120)
AI_HINT_RATE_LIMIT = env.int("AI_HINT_RATE_LIMIT", default=30)  # hint requests per user per minute
AI_HINT_CACHE_DAYS = env.int("AI_HINT_CACHE_DAYS", default=30)

# --- API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.CognitoAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],  # uploads say so themselves
    "EXCEPTION_HANDLER": "langportal.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "langportal API",
    "DESCRIPTION": "Vocabulary, study records and AI hints for learners of Japanese.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
