#!/usr/bin/env python
"""Upload a folder of word media (audio, images) to S3, as POST /api/words/upload does.

    python scripts/s3_upload.py media/                      # 12.mp3 goes to word 12
    python scripts/s3_upload.py media/ --mapping map.json   # {"hello.mp3": "1", ...}
    python scripts/s3_upload.py media/ --mapping map.csv    # file,word_id rows
    python scripts/s3_upload.py media/ --dry-run

Every file is checked as the API checks it (type from its bytes, size, the word
exists) and stored the same way, replacing the word's previous file of that kind.
Exit status: 0 all uploaded, 1 some failed (listed with the reason), 2 nothing done.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "langportal.settings")

import django

django.setup()

from django.core.files import File  # noqa: E402
from tqdm import tqdm  # noqa: E402

from langportal.errors import DomainError  # noqa: E402
from vocabulary import services  # noqa: E402


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder of media files")
    parser.add_argument("--mapping", type=Path, help="JSON object or CSV (file,word_id) naming each file's word")
    parser.add_argument("--dry-run", action="store_true", help="check every file, upload nothing")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def read_mapping(path: Path) -> dict[str, str]:
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as rows:
            return {row["file"]: row["word_id"] for row in csv.DictReader(rows)}
    mapping = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(mapping, dict):
        raise ValueError("the mapping must be a JSON object of file name to word id")
    return {str(name): str(word_id) for name, word_id in mapping.items()}


def plan(folder: Path, mapping: dict[str, str] | None) -> list[tuple[Path, str | None]]:
    """(file, word id) for every file to upload; a word id of None cannot be worked out."""
    files = sorted(path for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))
    if mapping is not None:
        return [(folder / name, word_id) for name, word_id in mapping.items()]
    return [(path, path.stem if path.stem.isdigit() else None) for path in files]


def upload_one(path: Path, word_id: str | None, *, dry_run: bool) -> str | None:
    """None when it went well, else why not."""
    if word_id is None:
        return "the file name is not a word id (use --mapping)"
    if not path.is_file():
        return "no such file"
    try:
        with path.open("rb") as handle:
            file = File(handle, name=path.name)
            if dry_run:
                services.word_get(word_id=word_id)
                services.media_check(file)
            else:
                services.media_upload(word_id=word_id, file=file)
    except DomainError as error:
        return error.message
    return None


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if not arguments.folder.is_dir():
        print(f"error: {arguments.folder} is not a folder", file=sys.stderr)
        return 2
    try:
        mapping = read_mapping(arguments.mapping) if arguments.mapping else None
    except (OSError, ValueError, KeyError) as error:
        print(f"error: cannot read the mapping: {error}", file=sys.stderr)
        return 2
    failures = {}
    todo = plan(arguments.folder, mapping)
    for path, word_id in tqdm(todo, desc="Uploading", unit="file", disable=arguments.quiet):
        if reason := upload_one(path, word_id, dry_run=arguments.dry_run):
            failures[path.name] = reason
    verb = "would upload" if arguments.dry_run else "uploaded"
    print(f"{verb} {len(todo) - len(failures)} of {len(todo)} files.")
    for name, reason in failures.items():
        print(f"failed {name}: {reason}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
