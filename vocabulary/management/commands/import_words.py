import functools
import getpass
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from langportal.errors import InvalidInput, Unavailable
from langportal.jobs import services as jobs
from vocabulary import anki
from vocabulary.jobs import anki as anki_imports
from vocabulary.jobs import imports as word_imports

RUN_SECONDS = 5.0  # of one run here, between two looks at the progress bar
SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Import words from a CSV file (the export's columns), a JSON vocabulary document or an Anki "
        "deck (.apkg), as the admin's import does: a job that runs here, with a progress bar, and "
        "can be resumed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a .csv, .json or .apkg file")
        parser.add_argument("--actor", default=getpass.getuser(), help="who the audit names (default: %(default)s)")
        parser.add_argument(
            "--no-wait", action="store_true", help="start the job and leave it to the jobs worker or Lambda"
        )
        deck = parser.add_argument_group("Anki decks", "each field guessed from its name unless given")
        for role in anki_imports.ROLES:
            deck.add_argument(f"--{role}", metavar="FIELD", help=f"the field of every note type holding the {role}")
        deck.add_argument("--deck-groups", action="store_true", help="make each deck a group")

    def handle(self, *args, file: Path, actor: str, no_wait: bool, verbosity: int, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        if file.stat().st_size > settings.IMPORT_JOB_MAX_BYTES:
            raise CommandError(f"{file} is larger than {settings.IMPORT_JOB_MAX_BYTES} bytes (IMPORT_JOB_MAX_BYTES).")
        key, start = self._anki_start(file, options) if file.suffix.lower() == ".apkg" else self._words_start(file)
        try:
            job = start(actor=actor, actor_id=f"operator:{actor}")
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

    def _words_start(self, file: Path) -> tuple[str, Callable]:
        """The stored file's key, and how to start its job."""
        with file.open("rb") as data:
            key = word_imports.import_file_store(name=file.name, file=data)
        return key, functools.partial(word_imports.import_job_start, name=file.name, key=key)

    def _anki_start(self, file: Path, options: dict) -> tuple[str, Callable]:
        """`_words_start` for a deck, each note type's fields as given or guessed from their names."""
        try:
            with anki.package_open(file) as package:
                mapping = {
                    note_type.id: anki_imports.anki_mapping_guess(note_type)
                    | {role: options[role] for role in anki_imports.ROLES if options[role]}
                    for note_type in package.note_types
                }
                mapping = anki_imports.anki_mapping_checked(package, mapping)
        except InvalidInput as error:
            raise CommandError(error.message) from error
        with file.open("rb") as data:
            key = anki_imports.anki_file_store(file=data)
        return key, functools.partial(
            anki_imports.anki_job_start, name=file.name, key=key, mapping=mapping, deck_groups=options["deck_groups"]
        )

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
