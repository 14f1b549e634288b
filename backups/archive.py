"""Backups of everything the portal keeps: the database and both media folders
(public photos, private consent scans).

A backup is a folder named by its time, holding the database (pg_dump's
custom format for PostgreSQL, a page-by-page copy for SQLite), the two media
folders as tar archives, and a manifest with each file's SHA-256 and every
table's row count. A restore checks the files against the manifest before it
touches anything, restores the database in one transaction, swaps each media
folder in whole, and checks the row counts again after."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404: pg_dump and pg_restore, see run_postgres
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = {"media.tar.gz": "MEDIA_ROOT", "private.tar.gz": "PRIVATE_MEDIA_ROOT"}


class BackupError(Exception):
    """Why a backup or a restore cannot go ahead, for the person running it."""


def create(target: Path) -> Path:
    folder = Path(target) / timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True)
    database = folder / database_file()
    if connection.vendor == "postgresql":
        run_postgres("pg_dump", "--format=custom", f"--file={database}")
    else:
        with sqlite3.connect(database) as copy:
            connection.ensure_connection()
            connection.connection.backup(copy)
    for name, setting in MEDIA.items():
        with tarfile.open(folder / name, "w:gz") as tar:
            root = Path(getattr(settings, setting))
            if root.exists():
                tar.add(root, arcname=".")
    manifest = {
        "format": FORMAT,
        "created": timezone.localtime().isoformat(timespec="seconds"),
        "database": connection.vendor,
        "files": {p.name: sha256(p) for p in sorted(folder.iterdir())},
        "rows": row_counts(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return folder


def restore(folder: Path) -> dict:
    folder = Path(folder)
    manifest = checked_manifest(folder)
    connections.close_all()
    database = folder / database_file()
    if connection.vendor == "postgresql":
        # --single-transaction: a restore that fails leaves the database as
        # it was.
        run_postgres(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--single-transaction",
            str(database),
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(database) as copy:
            copy.backup(connection.connection)
    for name, setting in MEDIA.items():
        replace_folder(folder / name, Path(getattr(settings, setting)))
    restored = row_counts()
    if restored != manifest["rows"]:
        raise BackupError(_("恢复后的数据与备份记录的行数不一致，请检查数据库。"))
    return manifest


def checked_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(
            _("“%(folder)s”不是完整的备份：找不到清单文件。") % {"folder": folder}
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(_("这个备份的格式不认识。"))
    if manifest["database"] != connection.vendor:
        raise BackupError(
            _("这是 %(backup)s 数据库的备份，不能恢复到 %(here)s 数据库。")
            % {"backup": manifest["database"], "here": connection.vendor}
        )
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.exists() or sha256(path) != digest:
            raise BackupError(
                _("备份文件“%(name)s”缺失或已损坏，什么都没有恢复。") % {"name": name}
            )
    return manifest


def replace_folder(archive: Path, root: Path) -> None:
    """Unpacks next to the folder, then swaps: a failed unpack leaves the
    old files in place. The "data" filter refuses absolute paths, links out
    of the folder and device files."""
    incoming = root.with_name(root.name + ".restoring")
    outgoing = root.with_name(root.name + ".replaced")
    for leftover in (incoming, outgoing):
        shutil.rmtree(leftover, ignore_errors=True)
    incoming.mkdir(parents=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(incoming, filter="data")
    if root.exists():
        root.rename(outgoing)
    incoming.rename(root)
    shutil.rmtree(outgoing, ignore_errors=True)


def database_file() -> str:
    return "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"


def run_postgres(program: str, *arguments: str) -> None:
    """pg_dump or pg_restore on the portal's database; the password goes in
    the environment, never on a command line others can see."""
    db = connection.settings_dict
    environment = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    command = [
        program,
        "--no-owner",
        "--no-privileges",
        f"--dbname={db['NAME']}",
        f"--host={db.get('HOST') or 'localhost'}",
        f"--port={db.get('PORT') or 5432}",
        f"--username={db.get('USER') or ''}",
        *arguments,
    ]
    try:
        # A fixed program and arguments from settings, no shell.
        result = subprocess.run(  # nosec B603
            command, env=environment, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            _("找不到 %(program)s：请安装 PostgreSQL 客户端（postgresql-client）。")
            % {"program": program}
        ) from None
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s 失败：%(error)s")
            % {"program": program, "error": result.stderr.strip()}
        )


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # nosec B608
            counts[table] = cursor.fetchone()[0]
    return counts


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
