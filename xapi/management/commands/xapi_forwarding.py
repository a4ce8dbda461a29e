import json
import sys

from django.core.management.base import BaseCommand, CommandError

from langportal.errors import DomainError
from xapi.services import forwarder, forwarding


class Command(BaseCommand):
    help = (
        "Forwarding rules of the xAPI store (also in the admin): list them, add one (the target's secret is "
        "read from standard input, so that it stays out of the shell's history), pause, resume or delete one, "
        "or run the forwarder once now."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="every rule, as JSON lines (without the secrets)")
        add = actions.add_parser("add", help="a new rule; the target's secret is read from standard input")
        add.add_argument("name")
        add.add_argument("--endpoint", required=True, help="the target's xAPI base URL (https://.../xapi)")
        add.add_argument("--key", required=True, help="the key of the Basic credential the target gave us")
        add.add_argument("--version", choices=forwarding.VERSIONS, default="2.0.0")
        add.add_argument("--verb", action="append", dest="verbs", default=[], help="a verb IRI (repeat it for more)")
        add.add_argument("--activity-prefix", help="only activities whose id starts with this")
        add.add_argument("--langportal-only", action="store_true", help="only the statements langportal makes")
        add.add_argument("--paused", action="store_true", help="make it paused")
        add.add_argument("--actor", default="manage.py", help="who made it (default: %(default)s)")
        for name in ("pause", "resume", "delete"):
            actions.add_parser(name, help=f"{name} a rule").add_argument("rule_id")
        actions.add_parser("run", help="forward what is due now, once")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except DomainError as error:
            raise CommandError(error.message) from error

    def _list(self, **options):
        for rule in forwarding.forwardings_list():
            shown = {name: value for name, value in vars(rule).items() if name != "target_secret"}
            shown.update(verbs=sorted(rule.verbs), state=forwarding.forwarding_state(rule))
            self.stdout.write(json.dumps(shown))

    def _add(self, *, name, endpoint, key, version, verbs, activity_prefix, langportal_only, paused, actor, **options):
        secret = sys.stdin.readline().rstrip("\r\n")
        rule = forwarding.forwarding_create(
            name=name,
            endpoint=endpoint,
            target_key=key,
            target_secret=secret,
            version=version,
            verbs=verbs,
            activity_prefix=activity_prefix,
            langportal_only=langportal_only,
            enabled=not paused,
            created_by=actor,
        )
        self.stdout.write(rule.rule_id)

    def _pause(self, *, rule_id, **options):
        forwarding.forwarding_pause(rule_id)

    def _resume(self, *, rule_id, **options):
        forwarding.forwarding_resume(rule_id)

    def _delete(self, *, rule_id, **options):
        forwarding.forwarding_delete(rule_id)

    def _run(self, **options):
        self.stdout.write(json.dumps(forwarder.forwarding_run(seconds=60)))
