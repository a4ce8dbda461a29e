from django.core.management.base import BaseCommand, CommandError

from accounts import cognito, roles
from langportal.errors import DomainError


class Command(BaseCommand):
    help = "Create or update a user of the local user pool (the emulator started by `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--group", required=True, choices=roles.GROUPS)
        parser.add_argument("--password", help="the password to set; one is generated when omitted")

    def handle(self, *args, username, group, password, **options):
        if not cognito.is_local_endpoint():
            raise CommandError("This command only manages the local user pool; start the local stack with `make run`.")
        try:
            credentials = cognito.user_upsert(username=username, group=group, password=password)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{username} is in group {group}.")
        if credentials.generated:
            self.stdout.write(f"password: {credentials.password}")
