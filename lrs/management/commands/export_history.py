import getpass
import shutil
import time
from contextlib import closing
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from langportal.errors import DomainError
from langportal.jobs import services as jobs
from lrs.jobs import history
from vocabulary.services import object_stream

RUN_SECONDS = 5.0  # of one run here, between two looks at the progress bar


class Operator:
    """Who starts an operator's export: a teacher's rights, under the operator's name."""

    is_teacher = True

    def __init__(self, name: str):
        self.sub = f"operator:{name}"


class Command(BaseCommand):
    help = (
        "Export a student's or a group's review history as CSV or JSON, as the admin's export "
        "does: a job that runs here, with a progress bar, and writes the file to --output or prints its link."
    )

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--student", metavar="SUB", help="the student's Cognito sub")
        scope.add_argument("--group", metavar="ID", help="the group's id")
        parser.add_argument("--format", choices=sorted(history.FORMATS), default="csv")
        parser.add_argument("--output", type=Path, help="where to write the file (default: print a link to it)")
        parser.add_argument("--actor", default=getpass.getuser(), help="who the job names (default: %(default)s)")
        parser.add_argument(
            "--no-wait", action="store_true", help="start the job and leave it to the jobs worker or Lambda"
        )

    def handle(self, *args, student, group, format, output, actor, no_wait, verbosity, **options):
        try:
            job = history.history_export_start(
                caller=Operator(actor), format=format, user_id=student, group_id=group, actor=actor
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Export job {job.id}")
        if no_wait:
            return
        job = self._run(job.id, show=verbosity > 0)
        if job.status == jobs.FAILED:
            raise CommandError(f"The export stopped: {job.message}")
        if output is None:
            self.stdout.write(jobs.job_output_url(job))
            return
        with closing(object_stream(job.output_key)) as stream, output.open("wb") as file:
            shutil.copyfileobj(stream, file)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))

    def _run(self, job_id: str, *, show: bool):
        """Run the job here to its end (or follow another run of it), showing its progress."""
        job = jobs.job_get(job_id=job_id)
        with tqdm(total=job.total, unit="page", desc="Exporting", disable=not show, dynamic_ncols=True) as bar:
            while job.status in jobs.UNFINISHED:
                job = jobs.job_run(job_id, seconds=RUN_SECONDS)
                if job.status in jobs.UNFINISHED and job.lease_until is not None:
                    time.sleep(1)  # another run holds it: follow its progress
                bar.total, bar.n = job.total, job.done
                bar.refresh()
        return job
