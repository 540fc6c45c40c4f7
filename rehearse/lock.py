"""The session lock: a session holds ``<session folder>/.lock`` while it runs.

The operating system releases the lock when the process dies, however it dies, so an attempt
whose session lock is free belongs to a session that is gone (`rehearse.recover`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import IO

LOCK_NAME = ".lock"


def hold_session_lock(session_dir: Path) -> IO[bytes]:
    """Create the session folder and hold its lock until the returned file is closed."""
    session_dir.mkdir(parents=True, exist_ok=True)
    f = open(session_dir / LOCK_NAME, "wb")  # noqa: SIM115 - held open for the whole session
    with contextlib.suppress(ImportError):
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    return f


def session_is_live(session_dir: Path) -> bool:
    """True while another process holds this session's lock."""
    lock = session_dir / LOCK_NAME
    if not lock.exists():
        return False
    try:
        import fcntl
    except ImportError:  # no advisory locks: only sessions that ended normally are finished
        return False
    with open(lock, "rb") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    return False
