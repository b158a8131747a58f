"""Files that hold the bloc's data are readable by their owner only, whatever the umask.

SQLite creates a database's `-wal`, `-shm` and `-journal` with the mode of the
database file itself, so making the database 0600 before SQLite first opens it
is enough for all of them. Backups are created the same way (cli_backup).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

PRIVATE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600; FileExistsError if it is already there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)  # the umask may have taken the owner's write bit too
    finally:
        os.close(fd)


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL; None for another backend or an in-memory database."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(database)


def secure_sqlite_file(path: Path) -> None:
    """Before SQLite opens `path`: create it 0600 if missing; take others' access away
    from an existing database and its side files (created 0644 by older versions)."""
    if not path.parent.is_dir():
        return  # SQLite will say it cannot open the file
    try:
        create_private(path)
        return
    except FileExistsError:
        pass
    if not path.is_file():
        return  # a folder or a device: SQLite will refuse it, and it is not ours to change
    for file in (path, *(Path(f"{path}{s}") for s in SQLITE_SIDE_FILES)):
        try:
            mode = file.stat().st_mode & 0o777
            if mode & 0o007:
                os.chmod(file, mode & ~0o007)
                log.warning("%s was readable by every user; now %o", file, mode & ~0o007)
        except FileNotFoundError:
            continue
        except PermissionError:
            log.warning("cannot restrict the permissions of %s (not its owner)", file)


def write_private(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write `data` to a new file `path` (0600), whole or not at all.

    An existing `path` is replaced only with `overwrite` (else FileExistsError): a
    command never overwrites a file it did not create unless told to.
    """
    if path.exists() and not overwrite:
        raise FileExistsError(17, "File exists", str(path))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    create_private(tmp)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
