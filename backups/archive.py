"""Backups of everything the portal keeps: the database and both media folders
(public photos, private consent scans).

A backup is a folder named by its time, holding the database (pg_dump's
custom format for PostgreSQL, a page-by-page copy for SQLite), the two media
folders as tar archives, and a manifest with each file's SHA-256 and every
table's row count as the dump has it. A restore checks every file against the
manifest and unpacks both media archives beside their folders before it
touches anything, then restores the database in one transaction, swaps each
media folder in whole, and checks the row counts against the manifest."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404: pg_dump and pg_restore, see run_postgres
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.conninfo import make_conninfo

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = {"media.tar.gz": "MEDIA_ROOT", "private.tar.gz": "PRIVATE_MEDIA_ROOT"}


def media_folders() -> dict[str, Path]:
    """Each media archive's name, and the folder it holds."""
    return {name: Path(getattr(settings, setting)) for name, setting in MEDIA.items()}


class BackupError(Exception):
    """Why a backup or a restore cannot go ahead, for the person running it."""


def create(target: Path) -> Path:
    # Only the account running the portal may read a backup: it holds
    # consent scans, real names and password hashes.
    Path(target).mkdir(mode=0o700, parents=True, exist_ok=True)
    now = timezone.localtime()
    folder = Path(target) / now.strftime("%Y%m%d-%H%M%S")
    folder.mkdir(mode=0o700)
    database = folder / database_file()
    rows = dump_database(database)
    for name, root in media_folders().items():
        with tarfile.open(folder / name, "w:gz") as tar:
            if root.exists():
                # resolve(): a media folder that is a link is followed.
                tar.add(root.resolve(), arcname=".")
    manifest = {
        "format": FORMAT,
        "created": now.isoformat(timespec="seconds"),
        "database": connection.vendor,
        "files": {p.name: sha256(p) for p in sorted(folder.iterdir())},
        "rows": rows,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return folder


def dump_database(path: Path) -> dict[str, int]:
    """Writes the database to the file; returns every table's row count as
    the dump has it (not as it is a moment later, on a site in use)."""
    if connection.vendor == "postgresql":
        # pg_dump reads the snapshot this transaction exported, so the counts
        # and the dump are of the same instant.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            rows = row_counts(cursor, table_names(cursor))
            run_postgres(
                "pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={path}"
            )
        return rows
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        return row_counts(cursor, sqlite_tables(cursor))


def restore(folder: Path) -> dict:
    """Replaces the database and both media folders by the backup's. Stop the
    app servers first: a write during the restore would be lost, and would
    make the check of the row counts fail."""
    folder = Path(folder)
    manifest = checked_manifest(folder)
    # Both archives unpacked beside their folders before anything is
    # replaced: a full disk or a refused member stops here, with nothing
    # changed.
    incoming = {}
    try:
        for name, root in media_folders().items():
            incoming[root] = unpack(folder / name, root)
        restore_database(folder / database_file())
    except BaseException:
        for path in incoming.values():
            shutil.rmtree(path, ignore_errors=True)
        raise
    for root, path in incoming.items():
        swap(path, root)
    with connection.cursor() as cursor:
        restored = row_counts(cursor, list(manifest["rows"]))
    different = sorted(t for t, n in manifest["rows"].items() if restored[t] != n)
    if different:
        raise BackupError(
            _(
                "恢复后有 %(n)d 张表的行数与备份记录的不同（如 %(table)s）："
                "恢复时网站可能还在写入。请停止网站后重新恢复。"
            )
            % {"n": len(different), "table": different[0]}
        )
    return manifest


def restore_database(path: Path) -> None:
    connections.close_all()
    if connection.vendor == "postgresql":
        # --single-transaction: a restore that fails leaves the database as
        # it was.
        run_postgres(
            "pg_restore", "--clean", "--if-exists", "--single-transaction", str(path)
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            copy.backup(connection.connection)


def checked_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(
            _("“%(folder)s”不是完整的备份：找不到清单文件。") % {"folder": folder}
        ) from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("rows"), dict):
        raise BackupError(_("这个备份的格式不认识。"))
    if manifest.get("database") != connection.vendor:
        raise BackupError(
            _("这是 %(backup)s 数据库的备份，不能恢复到 %(here)s 数据库。")
            % {"backup": manifest.get("database"), "here": connection.vendor}
        )
    files = manifest.get("files") or {}
    for name in [database_file(), *MEDIA]:
        path = folder / name
        if name not in files or not path.is_file() or sha256(path) != files[name]:
            raise BackupError(
                _("备份文件“%(name)s”缺失或已损坏，什么都没有恢复。") % {"name": name}
            )
    return manifest


def unpack(archive: Path, root: Path) -> Path:
    """The archive, unpacked next to the folder it will replace. The "data"
    filter refuses absolute paths, links out of the folder and devices."""
    incoming = root.with_name(root.name + ".restoring")
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir(parents=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(incoming, filter="data")
    return incoming


def swap(incoming: Path, root: Path) -> None:
    outgoing = root.with_name(root.name + ".replaced")
    shutil.rmtree(outgoing, ignore_errors=True)
    if root.exists():
        root.rename(outgoing)
    incoming.rename(root)
    shutil.rmtree(outgoing, ignore_errors=True)


def database_file() -> str:
    return "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"


# Connection settings pg_dump and pg_restore understand, from OPTIONS.
LIBPQ_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "options",
    "application_name",
    "service",
    "passfile",
    "target_session_attrs",
}


def run_postgres(program: str, *arguments: str) -> None:
    """pg_dump or pg_restore on the portal's database, connected as Django
    connects: what the settings leave empty stays libpq's default (the
    socket, PGPASSWORD, ~/.pgpass), and the password goes in the environment,
    never on a command line others can see."""
    db = connection.settings_dict
    environment = dict(os.environ)
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = db["PASSWORD"]
    parameters = {
        "dbname": db["NAME"],
        "host": db.get("HOST"),
        "port": db.get("PORT"),
        "user": db.get("USER"),
        **{k: v for k, v in db.get("OPTIONS", {}).items() if k in LIBPQ_OPTIONS},
    }
    conninfo = make_conninfo(**{k: v for k, v in parameters.items() if v})
    command = [program, "--no-owner", "--no-privileges", f"--dbname={conninfo}"]
    try:
        # A fixed program and arguments from settings, no shell.
        result = subprocess.run(  # nosec B603
            [*command, *arguments],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
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


def table_names(cursor) -> list[str]:
    return sorted(connection.introspection.table_names(cursor))


def sqlite_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in cursor.fetchall()]


def row_counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        # A table name from the database's own catalogue, quoted.
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # nosec B608
        counts[table] = cursor.fetchone()[0]
    return counts


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
