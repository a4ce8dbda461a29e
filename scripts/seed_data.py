#!/usr/bin/env python
"""Seed DynamoDB with a vocabulary document read from S3.

    python scripts/seed_data.py --bucket langportal-media --key seed/starter_words.json
    python scripts/seed_data.py --bucket langportal-media --key seed/starter_words.json --dry-run
    python scripts/seed_data.py --bucket langportal-media --key seed/big.json --synthetic 100000

Every entry is checked as the API checks it; bad entries are reported and the good
ones imported by the import rule of vocabulary.services.imports: an entry with an id
updates that word or group, or creates it with that id; one without is matched by its
Japanese and English (a group: by name). Entries that change nothing write nothing, so
running it again changes nothing. --synthetic N first writes a generated document of N words
to the given key. Exit status: 0 all imported, 1 some entries rejected, 2 nothing done.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "langportal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from langportal import progress  # noqa: E402
from langportal.errors import DomainError  # noqa: E402
from vocabulary.seeding import document_upload, seed_from_s3  # noqa: E402
from vocabulary.synthetic import synthetic_document  # noqa: E402


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bucket", default=settings.MEDIA_BUCKET, help="S3 bucket (default: %(default)s)")
    parser.add_argument("--key", required=True, help="key of the JSON document in the bucket")
    parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    parser.add_argument("--synthetic", type=int, metavar="N", help="first upload a generated document of N words")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        if arguments.synthetic:
            document_upload(
                bucket=arguments.bucket, key=arguments.key, document=synthetic_document(arguments.synthetic)
            )
        document, result = seed_from_s3(
            bucket=arguments.bucket,
            key=arguments.key,
            dry_run=arguments.dry_run,
            progress=progress.silent if arguments.quiet else progress.bar,
        )
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    would = "would be " if arguments.dry_run else ""
    print(
        f"{would}added {len(result.created_words)} words and {len(result.created_groups)} groups; "
        f"{would}updated {len(result.updated_words)} words and {len(result.updated_groups)} groups; "
        f"{len(result.unchanged_words)} words and {len(result.unchanged_groups)} groups were unchanged."
    )
    problems = [str(error) for error in document.errors]
    problems += [f"word {word}: {reason}" for word, reason in result.rejected.items()]
    problems += [f"group {group}: {reason}" for group, reason in result.rejected_groups.items()]
    for problem in problems:
        print(f"rejected {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
