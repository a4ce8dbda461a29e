"""Secrets that live in AWS Systems Manager Parameter Store (read once, at start-up)."""


def secret_from_ssm(name: str, *, region: str) -> str:
    """The decrypted value of SecureString parameter `name`; empty, and no call, when unnamed."""
    if not name:
        return ""
    import boto3  # only where the key lives in SSM

    return boto3.client("ssm", region_name=region or None).get_parameter(Name=name, WithDecryption=True)["Parameter"][
        "Value"
    ]
