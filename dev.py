#!/usr/bin/env python3
"""Set-up and everyday commands, needing nothing but Python 3.11 on the machine.

    python3 dev.py demo     # install into .venv, then `showroom demo` (SQLite, http://127.0.0.1:8000)
    python3 dev.py setup    # install into .venv, then `showroom setup` (group, first store, admin)
    python3 dev.py test     # install with test tools, then the whole suite on SQLite and PostgreSQL
    python3 dev.py bench    # the benchmarks in bench/
    python3 dev.py bench load [--rates 10,25,50]  # the load test against gunicorn (bench/load.py)
    python3 dev.py bench import [--rows 100000]  # a large `showroom import` (bench/imports.py)

Everything is installed into .venv next to this file; a second run reuses it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/showroom")


def run(*cmd: object, env: dict[str, str] | None = None, check: bool = True) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, check=check).returncode


def install(extra: str = "") -> None:
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = f".[{extra}]" if extra else "."
    stamp = VENV / f".installed{('-' + extra) if extra else ''}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", spec)
        stamp.write_text(digest)
    run(BIN / "showroom", "assets")
    if shutil.which("msgfmt"):
        run(
            BIN / "showroom",
            "compilemessages",
            "--ignore",
            ".venv",
            env={**os.environ, "SHOWROOM_DATA_DIR": str(ROOT / "var")},
        )


def ensure_chromium() -> str | None:
    """The browser tests drive Debian's chromium; install it where we may (CI runs as root)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    cjk_font = Path("/usr/share/fonts/opentype/noto").exists()
    if path and cjk_font:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        run("apt-get", "update", "-qq", check=False)
        # The CJK font lets screenshots show Chinese instead of empty boxes.
        run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "chromium",
            "fonts-noto-cjk",
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            check=False,
        )
    return shutil.which("chromium") or path


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return True
    except OSError:
        return False


def pytest(env_extra: dict[str, str], label: str, args: list[str]) -> int:
    env = {**os.environ, **env_extra}
    print(f"\n==== test suite on {label} ====", flush=True)
    code = run(PY, "-m", "pytest", *args, env=env, check=False)
    if code == 5:  # no test collected: treat as failure, a suite must run
        print("no tests ran", flush=True)
    return code


def pytest_in_background(
    env_extra: dict[str, str], label: str, args: list[str], log: Path
) -> subprocess.Popen[bytes]:
    """The suite on a second database at the same time (the machines have two cores); its
    output goes to `log` and is printed once the first run is over."""
    print(f"\n==== test suite on {label}: started beside, output in {log} ====", flush=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(PY), "-m", "pytest", *args],
            cwd=ROOT,
            env={**os.environ, **env_extra},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test(args: list[str]) -> int:
    install("test")
    if not ensure_chromium():
        print("\n!!!! chromium not found: browser tests will be SKIPPED !!!!\n", flush=True)
    code = [p for p in ("src", "tests", "bench", "dev.py", "conftest.py") if (ROOT / p).exists()]
    run(BIN / "ruff", "check", *code)
    run(BIN / "ruff", "format", "--check", *code)
    run(BIN / "mypy", "src")
    # Each run its own data folder and Redis database, so that the two can run side by side.
    sqlite = {"SHOWROOM_DATA_DIR": str(ROOT / "var" / "test"), "DATABASE_URL": ""}
    sqlite["TEST_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    postgres = {"SHOWROOM_DATA_DIR": str(ROOT / "var" / "test-pg"), "DATABASE_URL": PG_URL}
    postgres["TEST_REDIS_URL"] = "redis://127.0.0.1:6379/14"
    beside = None
    log = ROOT / "var" / "test-postgresql.log"
    if postgres_reachable():
        beside = pytest_in_background(postgres, f"PostgreSQL ({PG_URL})", args, log)
    else:
        print(
            "\n"
            + "!" * 78
            + "\n!!!! PostgreSQL is not reachable on 127.0.0.1:5432:"
            + " the PostgreSQL run is SKIPPED\n"
            + "!" * 78,
            flush=True,
        )
    try:
        codes = [pytest(sqlite, "SQLite", args)]
    except BaseException:  # interrupted: do not leave the other run behind
        if beside is not None:
            beside.kill()
        raise
    if beside is not None:
        code = beside.wait()
        print(f"\n==== test suite on PostgreSQL ({PG_URL}) ====", flush=True)
        sys.stdout.write(log.read_text(errors="replace"))
        if code == 5:
            print("no tests ran", flush=True)
        codes.append(code)
    failed = [c for c in codes if c != 0]
    return failed[0] if failed else 0


def main() -> int:
    command, *args = sys.argv[1:] or ["help"]
    if command == "demo":
        install()
        os.execv(BIN / "showroom", [str(BIN / "showroom"), "demo", *args])
    if command == "setup":
        install()
        os.execv(BIN / "showroom", [str(BIN / "showroom"), "setup", *args])
    if command == "test":
        return test(args)
    if command == "bench":
        install("test,bench")
        if args[:1] == ["load"]:
            return run(PY, "bench/load.py", *args[1:], check=False)
        if args[:1] == ["import"]:
            return run(PY, "bench/imports.py", *args[1:], check=False)
        return run(PY, "bench/run.py", *args, check=False)
    print(__doc__)
    return 0 if command == "help" else 2


if __name__ == "__main__":
    sys.exit(main())
