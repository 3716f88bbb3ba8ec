"""Environment-variable parsing that fails loudly.

Settings come from the environment only. A typo in a deployment (``DEBUG=ture``, ``PORT=80a``) must
stop start-up with a message naming the variable, never fall back silently to a default.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A configuration value is missing or malformed. The message names the variable."""


def _get(name: str, environ: Mapping[str, str] | None) -> str | None:
    env = os.environ if environ is None else environ
    return env.get(name)


def envstr(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    value = _get(name, environ)
    return default if value is None else value


def envbool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    value = _get(name, environ)
    if value is None:
        return default
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ConfigError(f"{name}: expected true/false (1/0, yes/no, on/off), got {value!r}")


def envint(
    name: str,
    default: int,
    environ: Mapping[str, str] | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    value = _get(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{name}: must be at most {maximum}, got {number}")
    return number


def envlist(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    value = _get(name, environ)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ConfigError(f"{name}: expected a comma-separated list, got an empty value")
    return items


def envurl(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    value = envstr(name, default, environ).strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(
            f"{name}: expected an http(s) URL such as https://example.vn, got {value!r}"
        )
    return value


def envsecret(
    name: str, data_dir: Path, environ: Mapping[str, str] | None = None, *, create: bool = True
) -> str:
    """Read a secret from NAME, or from the file NAME_FILE, or from ``<data_dir>/<name>``.

    When none is set the secret is generated once and kept in the data folder, so restarts keep
    sessions and signed cookies valid without an operator having to invent a key.
    """
    value = _get(name, environ)
    if value is not None:
        if len(value) < 32:
            raise ConfigError(f"{name}: must be at least 32 characters long")
        return value
    file_name = _get(f"{name}_FILE", environ)
    if file_name:
        path = Path(file_name)
        if not path.is_file():
            raise ConfigError(f"{name}_FILE: no such file {file_name!r}")
        return path.read_text(encoding="utf-8").strip()
    path = data_dir / name.lower()
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    if not create:
        raise ConfigError(f"{name}: not set")
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(50)
    path.write_text(secret, encoding="utf-8")
    path.chmod(0o600)
    return secret


@dataclass(frozen=True)
class DatabaseConfig:
    engine: str  # "sqlite" or "postgresql"
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: tuple[tuple[str, str], ...] = ()


def parse_database_url(name: str, value: str) -> DatabaseConfig:
    """Parse ``sqlite:///path`` or ``postgres://user:pass@host:port/db?opt=v``."""
    parts = urlsplit(value)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("/") and parts.netloc == "":
            # sqlite:///relative/path -> "relative/path"; sqlite:////abs/path -> "/abs/path"
            path = path[1:]
        if not path:
            raise ConfigError(
                f"{name}: sqlite URL needs a file path, e.g. sqlite:///var/db.sqlite3"
            )
        return DatabaseConfig(engine="sqlite", name=path)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        db = unquote(parts.path.lstrip("/"))
        if not db:
            raise ConfigError(
                f"{name}: PostgreSQL URL needs a database name, e.g. postgres://u@h/db"
            )
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"{name}: bad port in {value!r}") from None
        return DatabaseConfig(
            engine="postgresql",
            name=db,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=str(port or ""),
            options=tuple(parse_qsl(parts.query)),
        )
    raise ConfigError(
        f"{name}: unsupported scheme {parts.scheme!r}; use sqlite:///path or postgres://user@host/db"
    )
