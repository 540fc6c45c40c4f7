"""The session lock: a session holds ``<session folder>/.lock`` while it runs.

The operating system releases the lock when the process dies, however it dies, so an attempt
whose session lock is free belongs to a session that is gone (`rehearse.recover`). The lock is
`filelock`'s: ``flock`` on Linux and macOS, ``msvcrt.locking`` on Windows.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

LOCK_NAME = ".lock"


class SessionLock:
    """A session's lock, held until `close` (or the process's end)."""

    def __init__(self, path: Path) -> None:
        from filelock import FileLock, Timeout

        # not thread-local: a front end may end the session from another thread than started it
        self._lock: FileLock | None = FileLock(path, timeout=0, thread_local=False)
        try:
            self._lock.acquire()
        except (Timeout, OSError):  # held already, or a file system without locks: run unlocked
            self._lock = None

    @property
    def held(self) -> bool:
        """Whether this process holds the lock."""
        return self._lock is not None and self._lock.is_locked

    def close(self) -> None:
        """Release the lock."""
        if self._lock is not None:
            with contextlib.suppress(OSError):
                self._lock.release(force=True)
            self._lock = None

    def __enter__(self) -> SessionLock:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def hold_session_lock(session_dir: Path) -> SessionLock:
    """Create the session folder and hold its lock until the returned lock is closed."""
    session_dir.mkdir(parents=True, exist_ok=True)
    return SessionLock(session_dir / LOCK_NAME)


def session_is_live(session_dir: Path) -> bool:
    """True while another process (or another session of this one) holds this session's lock."""
    from filelock import FileLock, Timeout

    lock = session_dir / LOCK_NAME
    if not lock.exists():
        return False
    probe = FileLock(lock, timeout=0, thread_local=False)
    try:
        probe.acquire()
    except Timeout:
        return True
    except OSError:  # cannot be locked here (read-only folder, no locks): only ended sessions exist
        return False
    probe.release(force=True)
    return False
