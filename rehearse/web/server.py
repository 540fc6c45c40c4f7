"""Run the web app on this machine: bind, print the address with its secret, serve until Ctrl+C."""

from __future__ import annotations

import os
import socket
import sys
import threading
from typing import TextIO

from rehearse.errors import RehearseError
from rehearse.paths import Workspace


def bind(host: str, port: int | None) -> socket.socket:
    """A listening socket on ``host:port`` (a free port when ``port`` is None or 0)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port or 0))
    except OSError as e:
        sock.close()
        what = f"port {port}" if port else "a free port"
        raise RehearseError(f"cannot listen on {host} ({what}): {e.strerror}; "
                            "choose another with --port") from e
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def serve(ws: Workspace | None = None, host: str = "127.0.0.1", port: int | None = None,
          open_browser: bool = True, out: TextIO | None = None) -> None:
    """Serve the app until Ctrl+C (an answer being recorded is kept and scored first).

    The first line written to ``out`` (default stdout) is the address to open, with the secret.
    """
    import secrets

    out = out or sys.stdout
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    url = url_of(host, bound_port, token)
    # the address first: the socket already listens, so a browser opened now waits for the app
    print(url, file=out, flush=True)
    print("Press Ctrl+C to stop (an answer being recorded is kept).", file=sys.stderr, flush=True)

    import uvicorn

    from rehearse.web.app import create_app

    app = create_app(ws, token=token, host=host, port=bound_port)
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5, lifespan="on",
                            access_log=False)
    runner = app.state.web.runner

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            if self.should_exit:  # a second Ctrl+C: stop now; the recording is on disk already
                print("Stopped without scoring the last answer: it is kept, and `rehearse recover` "
                      "transcribes it.", file=sys.stderr, flush=True)
                os._exit(130)  # no interpreter teardown under a thread still in Whisper's native code
            # Ctrl+C ends the answer being recorded at once (it is kept, transcribed and scored
            # while open pages are closed); the app's shutdown then waits for it
            if runner.running:
                print("Scoring the answer in hand before stopping (Ctrl+C again to stop at once) …",
                      file=sys.stderr, flush=True)
            threading.Thread(target=runner.end, args=(0.0,), daemon=True).start()
            super().handle_exit(sig, frame)

    server = Server(config)
    if open_browser:
        import webbrowser

        threading.Timer(0.3, lambda: webbrowser.open(url)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl+C it has handled: the app has stopped
        pass
    finally:
        sock.close()
    print("Stopped.", file=sys.stderr, flush=True)
    if any(t.is_alive() and t is not threading.main_thread() for t in threading.enumerate()):
        # a thread still in native code (Whisper loading in the background, a question being
        # rendered) would abort the interpreter's teardown; everything is on disk by now
        sys.stdout.flush()
        os._exit(0)
