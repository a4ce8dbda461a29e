import getpass
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm
from ulid import ULID

from langportal.errors import DomainError, Unavailable
from langportal.jobs import services as jobs
from lrs import services
from lrs.jobs import erasure

RUN_SECONDS = 5.0  # of one run here, between two looks at the progress bar


@dataclass(frozen=True)
class Operator:
    """Whoever runs the command: an operator with the server's rights, as an admin."""

    sub: str
    is_teacher: bool = True


class Command(BaseCommand):
    help = (
        "Erase all the data of one student (GDPR), as the admin's Erase all data does: the plan "
        "first, then a job that runs here, with a progress bar, and can be resumed."
    )

    def add_arguments(self, parser):
        parser.add_argument("user_id", help="the student's user id (their Cognito sub)")
        parser.add_argument("--dry-run", action="store_true", help="print what would be erased, erase nothing")
        parser.add_argument("--actor", default=getpass.getuser(), help="who the job names (default: %(default)s)")

    def handle(self, *args, user_id: str, dry_run: bool, actor: str, verbosity: int, **options):
        operator = Operator(f"operator:{actor}")
        try:
            subject = services.erasure_subject(caller=operator, user_id=user_id)
        except DomainError as error:
            raise CommandError(error.message) from error
        counts = services.erasure_counts(services.erasure_plan(subject))
        self.stdout.write(f"Data of {subject.username or 'a user who never studied'} ({user_id}):")
        for kind, count in counts.items():
            self.stdout.write(f"  {services.KINDS[kind]}: {count}")
        if dry_run:
            self.stdout.write("Dry run: nothing was erased.")
            return
        job_id = str(ULID())
        try:
            erasure.erasure_job_start(caller=operator, user_id=user_id, actor=actor, job_id=job_id)
        except Unavailable as error:
            self.stderr.write(f"{error.message} The erasure runs here instead.")  # the job is stored
        self.stdout.write(f"Erasure job {job_id}")
        try:
            job = self._run(job_id, show=verbosity > 0)
        except DomainError as error:  # DynamoDB down: the job, if stored, resumes when run again
            raise CommandError(f"{error.message} Run this again to go on.") from error
        if job.status == jobs.FAILED:
            raise CommandError(f"The erasure stopped after {job.done} items: {job.message}")
        done = ", ".join(f"{name}: {count}" for name, count in sorted(job.counts.items())) or "nothing to erase"
        self.stdout.write(self.style.SUCCESS(f"Erased {job.done} items: {done}."))

    def _run(self, job_id: str, *, show: bool):
        """Run the job here to its end (or follow another run of it), showing its progress."""
        job = jobs.job_get(job_id=job_id)
        with tqdm(total=job.total, unit="item", desc="Erasing", disable=not show, dynamic_ncols=True) as bar:
            while job.status in jobs.UNFINISHED:
                job = jobs.job_run(job_id, seconds=RUN_SECONDS)
                if job.status in jobs.UNFINISHED and job.lease_until is not None:
                    time.sleep(1)  # another run holds it: follow its progress
                bar.total, bar.n = job.total, job.done
                bar.refresh()
        return job
