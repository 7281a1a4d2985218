import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.services import backup


class Command(BaseCommand):
    help = "Back up the whole database to a file (SQLite backup API, or pg_dump custom format)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Default: backups/<vendor>-<timestamp>.backup")

    def handle(self, *args, path=None, **options):
        from django.db import connection

        path = Path(path or f"backups/{connection.vendor}-{timezone.now():%Y%m%dT%H%M%S}.backup")
        started = time.perf_counter()
        try:
            written = backup.backup(path)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        size = written.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(f"Backed up to {written} ({size:,} bytes) in {time.perf_counter() - started:.2f} s.")
        )
