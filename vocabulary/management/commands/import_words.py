import getpass
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from langportal.errors import Unavailable
from langportal.jobs import services as jobs
from vocabulary.jobs import imports as word_imports

RUN_SECONDS = 5.0  # of one run here, between two looks at the progress bar
SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Import words from a CSV file (the export's columns) or a JSON vocabulary document, as "
        "the admin's import does: a job that runs here, with a progress bar, and can be resumed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a .csv or .json file")
        parser.add_argument("--actor", default=getpass.getuser(), help="who the audit names (default: %(default)s)")
        parser.add_argument(
            "--no-wait", action="store_true", help="start the job and leave it to the jobs worker or Lambda"
        )

    def handle(self, *args, file: Path, actor: str, no_wait: bool, verbosity: int, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        if file.stat().st_size > settings.IMPORT_JOB_MAX_BYTES:
            raise CommandError(f"{file} is larger than {settings.IMPORT_JOB_MAX_BYTES} bytes (IMPORT_JOB_MAX_BYTES).")
        with file.open("rb") as data:
            key = word_imports.import_file_store(name=file.name, file=data)
        try:
            job = word_imports.import_job_start(name=file.name, key=key, actor=actor, actor_id=f"operator:{actor}")
        except Unavailable as error:
            if no_wait:
                raise CommandError(f"{error.message} The job is stored; run this again to send it.") from error
            job = None  # stored all the same: it runs here
            self.stderr.write(f"{error.message} The import runs here instead.")
        job_id = job.id if job else word_imports.import_job_id(key)
        self.stdout.write(f"Import job {job_id}")
        if no_wait:
            return
        job = self._run(job_id, show=verbosity > 0)
        self._report(job)

    def _run(self, job_id: str, *, show: bool):
        """Run the job here to its end (or follow another run of it), showing its progress."""
        job = jobs.job_get(job_id=job_id)
        with tqdm(total=job.total, unit="row", desc="Importing", disable=not show, dynamic_ncols=True) as bar:
            while job.status in jobs.UNFINISHED:
                job = jobs.job_run(job_id, seconds=RUN_SECONDS)
                if job.status in jobs.UNFINISHED and job.lease_until is not None:
                    time.sleep(1)  # another run holds it: follow its progress
                bar.total, bar.n = job.total, job.done
                bar.refresh()
        return job

    def _report(self, job) -> None:
        counts = ", ".join(f"{name}: {count}" for name, count in sorted(job.counts.items())) or "no rows"
        if job.status == jobs.FAILED:
            raise CommandError(f"The import stopped after {job.done} rows ({counts}): {job.message}")
        self.stdout.write(self.style.SUCCESS(f"Imported {job.done} rows: {counts}."))
        for shown, error in enumerate(jobs.job_errors(job_id=job.id)):
            if shown == SHOWN_ERRORS:
                self.stdout.write("... and more: see the job's error report in the admin's Imports page.")
                break
            self.stdout.write(f"row {error.row}: {error.message}")
