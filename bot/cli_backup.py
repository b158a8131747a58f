"""`chibo backup` and `chibo restore`: a consistent copy of the database, and back.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page
inside one read transaction, so the copy is a consistent snapshot even while the
bot (or the dispatcher) keeps writing; in WAL mode writers are not blocked. The
copy is written to a temporary file, checked (`PRAGMA integrity_check`), switched
to a self-contained rollback journal, and only then renamed to OUT_FILE.

`chibo restore FILE --yes` checks the backup the same way, saves the current
database next to itself (`…before-restore-<time>.sqlite3`), then copies the
backup into place with the same API (under SQLite's write lock, so no reader sees
a half-restored file). Stop the bot first: a running instance would keep going on
the restored data, but anything it wrote after the backup is gone.

PostgreSQL: use the database's own tools; the commands print the exact `pg_dump` /
`pg_restore` line (password hidden: pass it as PGPASSWORD) and exit with 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.cli_common import fail
from bot.settings import Settings
from storage.files import create_private

EXIT_FAILED = 1
BUSY_TIMEOUT_MS = 10_000


def add_commands(sub: Any) -> None:
    """Add `backup` and `restore` to the `chibo` sub-command parser."""
    backup = sub.add_parser(
        "backup", help="consistent copy of the database while the bot runs (SQLite)"
    )
    backup.add_argument("out_file", type=Path, help="where to write the copy")
    backup.add_argument("--force", action="store_true", help="overwrite OUT_FILE if it exists")
    backup.set_defaults(func=cmd_backup, needs_schema=False)

    restore = sub.add_parser("restore", help="put a backup back in place (stop the bot first)")
    restore.add_argument("backup_file", type=Path)
    restore.add_argument(
        "--yes", action="store_true", help="really replace the current database with the backup"
    )
    restore.set_defaults(func=cmd_restore, needs_schema=False)


class BackupError(Exception):
    """A problem the user can fix; the message says what to do."""


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL; None for another backend."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ: không có gì để sao lưu.")
    return Path(url.database)


def _postgres_url(database_url: str) -> str:
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=True)


def pg_dump_command(database_url: str, out_file: Path) -> str:
    return shlex.join(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            f"--file={out_file}",
            f"--dbname={_postgres_url(database_url)}",
        ]
    )


def pg_restore_command(database_url: str, backup_file: Path) -> str:
    return shlex.join(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            f"--dbname={_postgres_url(database_url)}",
            str(backup_file),
        ]
    )


def _connect(path: Path, *, must_exist: bool) -> sqlite3.Connection:
    if must_exist and not path.is_file():
        raise BackupError(f"Không có tệp cơ sở dữ liệu {path}.")
    uri = f"file:{path.resolve()}?mode={'rw' if must_exist else 'rwc'}"
    connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def _check(connection: sqlite3.Connection, what: Path) -> dict[str, int]:
    """Integrity check and row counts; BackupError when it is not a sound chibo database."""
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{what} không phải cơ sở dữ liệu SQLite hợp lệ: {error}") from None
    if not result or result[0] != "ok":
        raise BackupError(f"{what} bị hỏng (integrity_check: {result}).")
    if "alembic_version" not in tables or "units" not in tables:
        raise BackupError(f"{what} không phải cơ sở dữ liệu của Chi bộ bot (thiếu bảng).")
    return {t: int(connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}


def _revision(connection: sqlite3.Connection) -> str | None:
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def backup_sqlite(source: Path, out_file: Path, *, force: bool = False) -> dict[str, int]:
    """Copy `source` to `out_file` consistently; returns the row counts of the copy."""
    if out_file.is_dir():
        raise BackupError(f"{out_file} là một thư mục: hãy ghi rõ tên tệp sao lưu.")
    if out_file.exists() and not force:
        raise BackupError(f"Tệp {out_file} đã có. Chọn tên khác, hoặc thêm --force để ghi đè.")
    if out_file.resolve() == source.resolve():
        raise BackupError("Tệp sao lưu không được trùng với cơ sở dữ liệu đang dùng.")
    if not out_file.parent.is_dir():
        raise BackupError(f"Không có thư mục {out_file.parent}.")
    tmp = out_file.with_name(f".{out_file.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    src = _connect(source, must_exist=True)
    try:
        create_private(tmp)  # a backup holds everything: only the owner may read it
        dst = sqlite3.connect(tmp)
        try:
            # pages=-1: every page in one step, i.e. one read transaction, one snapshot.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            counts = _check(dst, out_file)
            dst.commit()
        finally:
            dst.close()
        os.replace(tmp, out_file)
    finally:
        src.close()
        tmp.unlink(missing_ok=True)
    return counts


def restore_sqlite(
    backup_file: Path, target: Path, *, now: datetime
) -> tuple[dict[str, int], Path | None]:
    """Replace `target` with `backup_file`; the old database is saved first. Returns the
    row counts restored and where the old database went (None if there was none)."""
    if backup_file.resolve() == target.resolve():
        raise BackupError("Tệp sao lưu trùng với cơ sở dữ liệu đang dùng.")
    src = _connect(backup_file, must_exist=True)
    try:
        counts = _check(src, backup_file)
        saved: Path | None = None
        if target.exists():
            saved = target.with_name(
                f"{target.stem}.before-restore-{now:%Y%m%d-%H%M%S}{target.suffix or '.sqlite3'}"
            )
            backup_sqlite(target, saved)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            create_private(target)
        dst = _connect(target, must_exist=False)
        try:
            src.backup(dst, pages=-1)
        finally:
            dst.close()
    finally:
        src.close()
    return counts, saved


def _summary(counts: dict[str, int]) -> str:
    shown = (
        *("units", "people", "role_assignments", "meeting_schedules", "meeting_records"),
        *("quality_ratings", "report_submissions", "outbox", "audit_log"),
    )
    return ", ".join(f"{t} {counts[t]}" for t in shown if t in counts)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        source = sqlite_path(settings.database_url)
        if source is None:
            return fail(
                "chibo backup chỉ sao lưu SQLite. Với PostgreSQL hãy dùng pg_dump "
                "(mật khẩu qua biến PGPASSWORD):\n"
                + pg_dump_command(settings.database_url, args.out_file)
            )
        counts = backup_sqlite(source, args.out_file, force=args.force)
    except BackupError as error:
        return fail(str(error))
    except OSError as error:  # a read-only folder, a full disk
        return fail(f"Không ghi được tệp sao lưu {args.out_file}: {error.strerror or error}.")
    except sqlite3.Error as error:
        return fail(f"Sao lưu không thành công: {error}", EXIT_FAILED)
    size_kb = args.out_file.stat().st_size // 1024
    print(f"Đã sao lưu {source} vào {args.out_file} ({size_kb} KB): {_summary(counts)}.")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    try:
        target = sqlite_path(settings.database_url)
        if target is None:
            return fail(
                "chibo restore chỉ dùng cho SQLite. Với PostgreSQL hãy dừng bot rồi dùng "
                "pg_restore (mật khẩu qua biến PGPASSWORD):\n"
                + pg_restore_command(settings.database_url, args.backup_file)
            )
        if not args.yes:
            return fail(
                f"Lệnh này thay toàn bộ {target} bằng {args.backup_file}; dữ liệu ghi sau lần "
                "sao lưu sẽ mất (bản hiện tại được giữ lại bên cạnh). Hãy dừng bot, rồi chạy "
                "lại với --yes."
            )
        counts, saved = restore_sqlite(args.backup_file, target, now=datetime.now(UTC))
    except BackupError as error:
        return fail(str(error))
    except OSError as error:
        return fail(f"Không khôi phục được: {error.filename}: {error.strerror or error}.")
    except sqlite3.Error as error:
        return fail(f"Khôi phục không thành công: {error}", EXIT_FAILED)
    with contextlib.closing(sqlite3.connect(target)) as connection:
        revision = _revision(connection)
    if saved is not None:
        print(f"Bản cũ được giữ tại {saved}.")
    print(f"Đã khôi phục {target} từ {args.backup_file}: {_summary(counts)}.")
    print(f"Phiên bản lược đồ: {revision}. Chạy `chibo db upgrade` trước khi khởi động bot.")
    return 0
