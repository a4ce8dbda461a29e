from django.core.management.base import BaseCommand

from langportal.terraform import OUTPUT, tables_json


class Command(BaseCommand):
    help = "Write terraform/dynamodb.tf.json (the DynamoDB tables) from the PynamoDB models."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only say whether the file is up to date")

    def handle(self, *args, check, **options):
        wanted = tables_json()
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if check:
            if current != wanted:
                self.stderr.write(f"{OUTPUT} is out of date: run `python manage.py terraform_tables`.")
                raise SystemExit(1)
            self.stdout.write(f"{OUTPUT} is up to date.")
            return
        OUTPUT.write_text(wanted)
        self.stdout.write(f"Wrote {OUTPUT}.")
