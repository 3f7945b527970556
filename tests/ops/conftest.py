"""Fixtures of the operations tests: a migrated SQLite database file that subprocesses
(`recupera worker`, `recupera backup`) can open, made once per session and copied per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def recupera_env(var_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "DATABASE_OWNER_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DATABASE_URL": database_url, "RECUPERA_VAR_DIR": str(var_dir),
                "SECRET_KEY": "pruebas-de-operacion", **extra})
    return env


def run_recupera(args: list[str], env: dict[str, str], *, timeout: float = 300,
                 check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "recupera", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"recupera {' '.join(args)} -> {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory) -> Path:
    var = tmp_path_factory.mktemp("sqlite-template")
    path = var / "recupera.sqlite3"
    run_recupera(["migrate", "--verbosity", "0"], recupera_env(var, f"sqlite:///{path}"))
    return path


@pytest.fixture
def sqlite_site(migrated_sqlite_template, tmp_path) -> tuple[Path, dict[str, str]]:
    """(var dir, environment) of a fresh migrated SQLite installation in tmp_path."""
    var = tmp_path / "var"
    var.mkdir()
    db = var / "recupera.sqlite3"
    shutil.copy(migrated_sqlite_template, db)
    return var, recupera_env(var, f"sqlite:///{db}")
