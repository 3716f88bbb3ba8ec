import os
import subprocess
import sys
from pathlib import Path

import pytest

from phongdich.lib.env import (
    ConfigError,
    envbool,
    envint,
    envlist,
    envsecret,
    envurl,
    parse_database_url,
)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), ("off", False), ("", False)]
)
def test_envbool_accepts_common_spellings(raw, expected):
    assert envbool("X", not expected, {"X": raw}) is expected


def test_envbool_rejects_typos_naming_the_variable():
    with pytest.raises(ConfigError, match="DEBUG"):
        envbool("DEBUG", False, {"DEBUG": "ture"})


def test_envint_rejects_non_numbers_and_out_of_range():
    with pytest.raises(ConfigError, match="PHONGDICH_RETENTION_DAYS"):
        envint("PHONGDICH_RETENTION_DAYS", 28, {"PHONGDICH_RETENTION_DAYS": "28d"})
    with pytest.raises(ConfigError, match="at least 1"):
        envint("PHONGDICH_RETENTION_DAYS", 28, {"PHONGDICH_RETENTION_DAYS": "0"}, minimum=1)
    assert envint("N", 5, {}) == 5
    assert envint("N", 5, {"N": " 7 "}) == 7


def test_envlist_and_envurl():
    assert envlist("ALLOWED_HOSTS", ["a"], {"ALLOWED_HOSTS": "x.vn, y.vn"}) == ["x.vn", "y.vn"]
    with pytest.raises(ConfigError, match="ALLOWED_HOSTS"):
        envlist("ALLOWED_HOSTS", ["a"], {"ALLOWED_HOSTS": " , "})
    assert (
        envurl("PHONGDICH_BASE_URL", "", {"PHONGDICH_BASE_URL": "https://pd.vn/"})
        == "https://pd.vn"
    )
    with pytest.raises(ConfigError, match="PHONGDICH_BASE_URL"):
        envurl("PHONGDICH_BASE_URL", "", {"PHONGDICH_BASE_URL": "pd.vn"})


def test_secret_is_generated_once_and_kept(tmp_path: Path):
    first = envsecret("SECRET_KEY", tmp_path, {})
    assert len(first) >= 50
    assert envsecret("SECRET_KEY", tmp_path, {}) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        envsecret("SECRET_KEY", tmp_path, {"SECRET_KEY": "short"})


def test_database_urls():
    pg = parse_database_url(
        "DATABASE_URL", "postgres://u:p%40ss@db.local:6543/phongdich?sslmode=require"
    )
    assert (pg.engine, pg.name, pg.user, pg.password, pg.host, pg.port) == (
        "postgresql",
        "phongdich",
        "u",
        "p@ss",
        "db.local",
        "6543",
    )
    assert dict(pg.options) == {"sslmode": "require"}
    assert parse_database_url("D", "sqlite:////srv/pd.sqlite3").name == "/srv/pd.sqlite3"
    assert parse_database_url("D", "sqlite:///var/pd.sqlite3").name == "var/pd.sqlite3"
    for bad in ["mysql://x/y", "postgres://host/", "sqlite://", "postgres://h:port/db"]:
        with pytest.raises(ConfigError, match=r"DATABASE_URL|D:"):
            parse_database_url("DATABASE_URL", bad)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "oracle://x/y"),
        ("PHONGDICH_RETENTION_DAYS", "-3"),
        ("PHONGDICH_BASE_URL", "not a url"),
    ],
)
def test_bad_environment_stops_startup_naming_the_variable(tmp_path, name, value):
    env = {**os.environ, "PHONGDICH_DATA_DIR": str(tmp_path), name: value}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "phongdich", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert name in result.stderr
