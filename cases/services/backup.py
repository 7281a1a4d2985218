"""Backup and restore of the whole database, and a checksum of every table to prove
a round trip lost nothing.

SQLite uses its online backup API; PostgreSQL uses pg_dump and pg_restore (custom format).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    pass


def _pg_env_and_args():
    settings = connection.settings_dict
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings.get(key):
            args += [flag, str(settings[key])]
    return env, args, settings["NAME"]


def _run(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def backup(path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        destination = sqlite3.connect(path)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    elif connection.vendor == "postgresql":
        env, args, name = _pg_env_and_args()
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "-f", str(path), name], env)
    else:
        raise BackupError(f"Backups are not supported on {connection.vendor}.")
    return path


def restore(path: Path) -> None:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    if connection.vendor == "sqlite":
        with open(path, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{path} is not an SQLite backup.")
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        with open(path, "rb") as handle:
            if handle.read(5) != b"PGDMP":
                raise BackupError(f"{path} is not a pg_dump custom-format backup.")
        env, args, name = _pg_env_and_args()
        connection.close()  # release locks so that --clean can drop and recreate
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             *args, "-d", name, str(path)],
            env,
        )  # fmt: skip
    else:
        raise BackupError(f"Restores are not supported on {connection.vendor}.")


def table_checksums() -> dict[str, tuple[int, str]]:
    """Every table: (row count, SHA-256 of its rows in primary-key order)."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")
            digest = hashlib.sha256()
            count = 0
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
                count += 1
            result[table] = (count, digest.hexdigest())
    return result
