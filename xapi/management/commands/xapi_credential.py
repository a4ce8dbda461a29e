import getpass
import json

from django.core.management.base import BaseCommand, CommandError

from langportal.errors import DomainError
from xapi.services import credentials
from xapi.services.access import SCOPES


class Command(BaseCommand):
    help = (
        "Make a Basic credential of the xAPI store for a tool (an LMS, an authoring tool, a school's "
        "analytics), with its scopes; its secret is printed this once. --revoke KEY revokes one."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="what the credential is for; it names its statements' authority")
        parser.add_argument(
            "--scope", action="append", choices=SCOPES, dest="scopes", help="a scope (repeat it for more)"
        )
        parser.add_argument("--json", action="store_true", help='print {"key": ..., "secret": ...} alone')
        parser.add_argument("--actor", default=getpass.getuser(), help="who made it (default: %(default)s)")
        parser.add_argument("--revoke", metavar="KEY", help="revoke the credential with this key instead")

    def handle(self, *args, name, scopes, actor, revoke, **options):
        try:
            if revoke:
                credentials.credential_revoke(revoke)
                self.stdout.write(f"Revoked {revoke}.")
                return
            if not name or not scopes:
                raise CommandError("Give the credential a name and at least one --scope.")
            made = credentials.credential_create(name=name, scopes=scopes, created_by=actor)
        except DomainError as error:
            raise CommandError(error.message) from error
        if options["json"]:
            self.stdout.write(json.dumps({"key": made.credential.key, "secret": made.secret}))
            return
        self.stdout.write(f"Key:    {made.credential.key}\nSecret: {made.secret}\nScopes: {', '.join(sorted(scopes))}")
        self.stdout.write("The secret is shown this once; keep it in the tool's settings.")
