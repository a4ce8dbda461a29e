"""How the OpenAPI document describes our authentication (Swagger UI's "Authorize")."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class CognitoAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.CognitoAuthentication"
    name = "cognito"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Cognito ID or access token of the user pool. Locally: "
            "`python manage.py local_token student`.",
        }
