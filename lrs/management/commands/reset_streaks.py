from django.core.management.base import BaseCommand

from lrs import services


class Command(BaseCommand):
    help = "Set to 0 the study streaks of students who missed a day (what the daily Lambda does)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--lookback-days",
            type=int,
            default=services.STREAK_LOOKBACK_DAYS,
            help="how many past days to look at (default: %(default)s)",
        )

    def handle(self, *args, lookback_days, **options):
        reset = services.streaks_reset(lookback_days=lookback_days)
        self.stdout.write(f"Reset {reset} broken streak{'s' if reset != 1 else ''}.")
