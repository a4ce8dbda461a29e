import json

from django.core.management.base import BaseCommand, CommandError

from accounts import cognito
from langportal.errors import DomainError


class Command(BaseCommand):
    help = "Sign in as a user of the local user pool and print a token for the API."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="defaults to the one set by make run or local_user")
        parser.add_argument("--json", action="store_true", help="print id_token, access_token and user_id as JSON")

    def handle(self, *args, username, password, **options):
        if not cognito.is_local_endpoint():
            raise CommandError(
                "This command only signs in to the local user pool; start the local stack with `make run`."
            )
        try:
            tokens = cognito.user_tokens(username=username, password=password)
        except DomainError as error:
            raise CommandError(error.message) from error
        if options["json"]:
            body = {"id_token": tokens.id_token, "access_token": tokens.access_token, "user_id": tokens.user_id}
            self.stdout.write(json.dumps(body, indent=2))
        else:
            self.stdout.write(tokens.id_token)
