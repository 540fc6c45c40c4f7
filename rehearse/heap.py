"""The C heap after a transcription: what glibc keeps is given back to the system.

Measured with bench/bench_memory.py; the profile is in bench/README.md ("Peak RSS"). On a C
library other than glibc (macOS, Windows, musl) nothing is done.
"""

from __future__ import annotations

from functools import lru_cache

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
LARGE_BLOCK = 2 << 20  # bytes; glibc serves blocks this large by mmap (see `map_large_blocks`)


@lru_cache(maxsize=1)
def _glibc():
    """The C library if it is glibc (it has ``malloc_trim``), else None: the tuning is skipped."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def release_freed_memory() -> None:
    """Give the free pages inside the C heap back to the system (glibc's ``malloc_trim``).

    glibc keeps what a transcription frees for the next one, in one heap per thread (the warm-up,
    the incremental worker, the session): openai-whisper grew by ~50 MB per stretch that way and
    faster-whisper by 30-60 MB. Takes 2-10 ms.
    """
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def map_large_blocks() -> None:
    """Have glibc serve every block of `LARGE_BLOCK` or more by mmap, returned when freed.

    By default glibc raises that threshold to the largest block freed so far (up to 32 MB), after
    which torch's activations (3-12 MB each in the encoder) come from the heap, where the holes
    freed blocks leave fit other sizes badly. With a fixed 2 MB threshold a practice session with
    openai-whisper peaked 30-40 MB lower (a whole-file answer 46 MB), for 5-8 % more CPU time in
    the kernel (fresh pages are zeroed). Process-wide; not used for faster-whisper, where it cost
    15-20 % more CPU and saved nothing.
    """
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)
