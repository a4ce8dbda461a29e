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
# The key itself, or the name of an SSM SecureString parameter holding it. Empty where
# nothing is signed (the Lambdas, management commands): Django refuses an empty key only
# when something signs with it, and gunicorn.conf.py refuses to serve without one.
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
    "langportal.storage",
    "langportal.jobs",
    "accounts",
    "vocabulary",
    "lrs",
    "ai_hints",
    "xapi",
]

MIDDLEWARE = [
    "langportal.timing.ServerTimingMiddleware",  # first: it times all the rest
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accounts.sessions.SessionMiddleware",
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
LOGIN_REDIRECT_URL = "admin:index"  # where a sign-in lands when its ?next= is missing or off-site
# Admin sessions live in DynamoDB (accounts/sessions.py): shared by every instance, ended
# everywhere by signing out, and re-checked against Cognito (accounts/admin_access.py).
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_SECONDS", default=8 * 3600)
# Seconds a teacher's role is trusted before Cognito is asked again (and always before a change).
ADMIN_COGNITO_RECHECK_SECONDS = env.int("ADMIN_COGNITO_RECHECK_SECONDS", default=300)
# Teachers and admins sign in with a one-time code (TOTP) as well, set up at their first sign-in.
ADMIN_MFA_REQUIRED = env.bool("ADMIN_MFA_REQUIRED", default=True)
# Failed admin sign-ins allowed per username and per address in each window (429 past them).
ADMIN_SIGN_IN_FAILURES_PER_USER = env.int("ADMIN_SIGN_IN_FAILURES_PER_USER", default=5)
ADMIN_SIGN_IN_FAILURES_PER_ADDRESS = env.int("ADMIN_SIGN_IN_FAILURES_PER_ADDRESS", default=20)
ADMIN_SIGN_IN_WINDOW_SECONDS = env.int("ADMIN_SIGN_IN_WINDOW_SECONDS", default=900)
# Proxies in front of the app that append to X-Forwarded-For (API Gateway and the load
# balancer: 2); 0 trusts no header and takes the connection's address.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
# TLS ends at the internal load balancer, whose HTTPS listener sets this header on every
# request it forwards (a client's own is replaced) and which alone reaches the app.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
# Asking browsers to preload HSTS for the domain is hard to undo, so it is the operator's
# choice (DJANGO_HSTS_PRELOAD), and `check --deploy` does not insist on it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=False)
# Health checks reach the instances over plain HTTP. Django matches the path without its
# leading slash; \Z, because $ also matches before a final newline (/healthz%0A).
SECURE_REDIRECT_EXEMPT = [r"^healthz\Z", r"^readyz\Z"]

# Answers carry Server-Timing: the time spent waiting on DynamoDB, and the rest (make bench reads it).
SERVER_TIMING = env.bool("SERVER_TIMING", default=False)

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
# The SQS queue of jobs (imports, exports, erasures), read by the jobs Lambda on AWS and by
# the worker that `make run` starts.
JOBS_QUEUE = env.str("JOBS_QUEUE", default="langportal-jobs")
# How long the link to a job's output file (an export) works, once made.
JOB_DOWNLOAD_SECONDS = env.int("JOB_DOWNLOAD_SECONDS", default=300)
# How long the admin's form that uploads an import file straight to S3 works, once shown.
JOB_UPLOAD_SECONDS = env.int("JOB_UPLOAD_SECONDS", default=3600)
# An export's file goes to S3 in multipart parts of this many bytes (S3's least is 5 MiB).
EXPORT_PART_BYTES = env.int("EXPORT_PART_BYTES", default=8 * 1024 * 1024)
MEDIA_CUSTOM_DOMAIN = env.str("MEDIA_CUSTOM_DOMAIN", default="") or None
# Largest media file accepted by POST /api/words/upload and the admin's word form, in
# bytes (413 above it, counted while the body streams in).
MEDIA_MAX_UPLOAD_BYTES = env.int("MEDIA_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# Images with more pixels are refused from their header, before anything decodes them: a
# few hundred compressed bytes can declare a picture that takes gigabytes to decode.
MEDIA_MAX_IMAGE_PIXELS = env.int("MEDIA_MAX_IMAGE_PIXELS", default=40_000_000)
# Vocabulary documents (see vocabulary.documents): the admin's CSV or JSON import file,
# and the larger documents seeding reads from S3. Both are held whole while checked.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=5_000)
# An import job reads its file as a stream, a row at a time: only its rows are bounded.
IMPORT_JOB_MAX_ROWS = env.int("IMPORT_JOB_MAX_ROWS", default=500_000)
IMPORT_JOB_MAX_BYTES = env.int("IMPORT_JOB_MAX_BYTES", default=256 * 1024 * 1024)
SEED_MAX_BYTES = env.int("SEED_MAX_BYTES", default=64 * 1024 * 1024)
SEED_MAX_ROWS = env.int("SEED_MAX_ROWS", default=200_000)
# A document's JSON nesting and its longest CSV field or JSON string, in either.
IMPORT_MAX_DEPTH = env.int("IMPORT_MAX_DEPTH", default=10)
IMPORT_MAX_FIELD_CHARS = env.int("IMPORT_MAX_FIELD_CHARS", default=1_000)
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
    "DEFAULT_PARSER_CLASSES": ["langportal.api.parsers.JSONParser"],  # uploads say so themselves
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

# --- xAPI learning record store (/xapi/) -------------------------------------------
# The store's own IRI: its activities (our words, groups) and its credentials' accounts
# are named under it, so it must stay the same for the life of the data. Set it to the
# public URL of /xapi on a deployment.
XAPI_IRI = env.str("XAPI_IRI", default="http://127.0.0.1:8000/xapi")
# X-Experience-API-Consistent-Through is this many seconds before now: a statement is
# stored with the time it began to be written, and becomes readable when its transaction
# ends, well within this bound.
XAPI_CONSISTENCY_SECONDS = env.float("XAPI_CONSISTENCY_SECONDS", default=1.0)
# The most statements a GET answers with (a client's `limit` may ask for fewer).
XAPI_STATEMENTS_LIMIT = env.int("XAPI_STATEMENTS_LIMIT", default=100)
# A request's body (statements with their attachments, or a document), in bytes.
XAPI_MAX_BYTES = env.int("XAPI_MAX_BYTES", default=10 * 1024 * 1024)
# A document larger than this is kept in S3, its item pointing at it.
XAPI_DOCUMENT_INLINE_BYTES = env.int("XAPI_DOCUMENT_INLINE_BYTES", default=64 * 1024)
# Origins whose pages may call /xapi/ from a browser (CORS), `*` for any: xAPI content
# often runs in an LMS's or an H5P page. Empty: none.
XAPI_CORS_ALLOWED_ORIGINS = env.list("XAPI_CORS_ALLOWED_ORIGINS", default=[])
# Seconds a checked Basic credential is trusted before its record is read again (and so
# how long a revoked one may still work on an instance that used it).
XAPI_CREDENTIAL_CACHE_SECONDS = env.int("XAPI_CREDENTIAL_CACHE_SECONDS", default=30)
# Forwarding statements to other stores (xapi.services.forwarder): the connect and read
# timeout of each POST, and the wait after failures in a row, doubling from the first to
# the most.
XAPI_FORWARDING_TIMEOUT_SECONDS = env.float("XAPI_FORWARDING_TIMEOUT_SECONDS", default=10.0)
XAPI_FORWARDING_RETRY_SECONDS = env.int("XAPI_FORWARDING_RETRY_SECONDS", default=30)
XAPI_FORWARDING_RETRY_MAX_SECONDS = env.int("XAPI_FORWARDING_RETRY_MAX_SECONDS", default=3600)
