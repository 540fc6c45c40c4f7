"""Install a built rehearse wheel into a clean virtualenv and run what a new user runs first.

    python .ci/wheel_smoke.py dist/rehearse-*.whl [--torch "torch==2.13.0"] [--torch-index URL]

Runs ``rehearse --version``, ``rehearse import`` on prep notes and ``rehearse score --transcript``
on the deck it wrote, from a folder outside the source tree, so only the installed wheel is used.
Exits non-zero, naming the step, on the first failure. Works on Linux, macOS and Windows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

NOTES = """# Backend interview

1. Tell me about yourself.
   - I am a backend engineer with five years of experience.
   - I build payment services in Python.
   - I lead the migration of our billing system to event sourcing.

2. Why do you want to join us?
   - Your team builds the payment platform I want to work on.
   - I like that you release small changes every day.
"""
SAID = ("I am a backend engineer with five years of experience, and I build payment services in Python. "
        "I also led the migration of our billing system to event sourcing.")


def run(step: str, command: list[str], **kwargs) -> subprocess.CompletedProcess:
    print(f"==> {step}: {' '.join(command)}", flush=True)
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", **kwargs)
    if done.returncode != 0:
        fail(f"'{step}' exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def fail(message: str) -> None:
    sys.exit(f"wheel smoke test failed: {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path)
    parser.add_argument("--torch", default=None, help="a torch requirement to install first")
    parser.add_argument("--torch-index", default=None, help="the index to take torch from")
    args = parser.parse_args()
    wheel = args.wheel.resolve()
    with tempfile.TemporaryDirectory(prefix="rehearse-wheel-") as tmp:
        root = Path(tmp)
        venv.create(root / "venv", with_pip=True)
        bin_dir = root / "venv" / ("Scripts" if os.name == "nt" else "bin")
        python = bin_dir / ("python.exe" if os.name == "nt" else "python")
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        if args.torch:
            run("torch", [*pip, *(["--index-url", args.torch_index] if args.torch_index else []), args.torch])
        run("install the wheel", [*pip, str(wheel)])
        rehearse = str(bin_dir / ("rehearse.exe" if os.name == "nt" else "rehearse"))
        home = root / "home"
        home.mkdir()
        env = {**os.environ, "REHEARSE_HOME": str(home), "PYTHONPATH": ""}
        version = wheel.name.split("-")[1]
        out = run("rehearse --version", [rehearse, "--version"], cwd=home, env=env).stdout
        if version not in out:
            fail(f"rehearse --version printed {out!r}, not version {version}")
        (home / "notes.txt").write_text(NOTES, encoding="utf-8")
        run("rehearse import", [rehearse, "import", "notes.txt", "-o", "deck.yaml"], cwd=home, env=env)
        shown = json.loads(run("rehearse show", [rehearse, "show", "deck.yaml", "--json"], cwd=home,
                               env=env).stdout)
        ids = [q["id"] for q in shown["questions"]]
        if len(ids) != 2:
            fail(f"the deck imported from the notes has {len(ids)} questions, not 2: {ids}")
        (home / "said.txt").write_text(SAID, encoding="utf-8")
        scored = json.loads(run("rehearse score --transcript", [
            rehearse, "score", "deck.yaml", ids[0], "--transcript", "said.txt", "--json"],
            cwd=home, env=env).stdout)
        covered = [p for p in scored["key_points"] if p["covered"]]
        if scored["score"] < 60 or len(covered) < 2:
            fail(f"an answer that says the key points was scored {scored}")
        print(f"wheel smoke test ok: {wheel.name} installs, reports {version}, imports notes and scores "
              f"an answer ({scored['score']}/100)")


if __name__ == "__main__":
    main()
