"""Where margin keeps its database and its configuration."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB_NAME = "annotations.db"
ENV_DB = "MARGIN_DB"
ENV_CONFIG = "MARGIN_CONFIG"


def database_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The database in use: `--db` if given, else `$MARGIN_DB`, else ./annotations.db."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return Path.cwd() / DEFAULT_DB_NAME


def config_path() -> Path:
    """The TOML config file: `$MARGIN_CONFIG`, else config.toml in the platform's config folder."""
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("margin", appauthor=False)) / "config.toml"
