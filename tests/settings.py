"""Settings for the test suite: the same settings module, in a known environment.

Whatever the developer's shell or var/local.env holds, unit tests see no AWS endpoint
(moto's decorators intercept the default AWS addresses) and a throwaway database.
"""

import os

for name in list(os.environ):
    if name.startswith(("ADMIN_", "AWS_", "COGNITO_", "DJANGO_", "DYNAMODB_", "MEDIA_")) or name == "DATABASE_URL":
        del os.environ[name]

os.environ.update(
    LANGPORTAL_ENV_FILE="",
    DJANGO_SECRET_KEY="tests-only-secret-key",
    DATABASE_URL="sqlite://:memory:",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_REGION="us-east-1",
    DYNAMODB_TABLE_PREFIX="test-",
    MEDIA_BUCKET="langportal-test-media",
    ADMIN_MFA_REQUIRED="false",  # the tests of the second factor switch it on
)

from langportal.settings import *  # noqa: E402,F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT = None  # tests never collect static files; WhiteNoise finds none to serve
