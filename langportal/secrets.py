"""Secrets that live in AWS Systems Manager Parameter Store (read once, at start-up)."""

from django.core.exceptions import ImproperlyConfigured


def secret_from_ssm(name: str, *, region: str) -> str:
    """The decrypted value of SecureString parameter `name`; a clear error when unset."""
    if not name:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY, or DJANGO_SECRET_KEY_PARAMETER to its SSM parameter's name.")
    import boto3  # only where the key lives in SSM

    return boto3.client("ssm", region_name=region or None).get_parameter(Name=name, WithDecryption=True)["Parameter"][
        "Value"
    ]
