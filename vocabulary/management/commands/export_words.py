import getpass
import shutil
import time
from contextlib import closing
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from langportal.errors import DomainError
from langportal.jobs import services as jobs
from vocabulary.jobs import exports as word_exports
from vocabulary.services import object_stream

RUN_SECONDS = 5.0  # of one run here, between two looks at the progress bar


class Command(BaseCommand):
    help = (
        "Export the words (all, or a group's) as CSV, JSON or an Anki deck, as the admin's export does: "
        "a job that runs here, with a progress bar, and writes the file to --output or prints its link."
    )

    def add_arguments(self, parser):
        parser.add_argument("--group", help="the id of the group to export (default: every word)")
        parser.add_argument("--format", choices=sorted(word_exports.FORMATS), default="csv")
        parser.add_argument("--output", type=Path, help="where to write the file (default: print a link to it)")
        parser.add_argument("--actor", default=getpass.getuser(), help="who the job names (default: %(default)s)")
        parser.add_argument(
            "--no-wait", action="store_true", help="start the job and leave it to the jobs worker or Lambda"
        )

    def handle(self, *args, group, format, output, actor, no_wait, verbosity, **options):
        try:
            job = word_exports.words_export_start(
                format=format, group_id=group, actor=actor, actor_id=f"operator:{actor}"
            )
        except DomainError as error:  # no such group; the queue down (the job is kept, but unnamed here)
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
        """Run the job here to its end (or follow another run of it), showing its pages."""
        job = jobs.job_get(job_id=job_id)
        with tqdm(total=job.total, unit="page", desc="Exporting", disable=not show, dynamic_ncols=True) as bar:
            while job.status in jobs.UNFINISHED:
                job = jobs.job_run(job_id, seconds=RUN_SECONDS)
                if job.status in jobs.UNFINISHED and job.lease_until is not None:
                    time.sleep(1)  # another run holds it: follow its progress
                bar.total, bar.n = job.total, job.done
                bar.refresh()
        return job
