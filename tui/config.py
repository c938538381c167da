"""The optional TOML config file: key remapping by binding id, and a few reader settings.

Example (`margin locate --config` prints where it lives):

    [keys]
    "article.next_sentence" = "j,down,ctrl+n"
    "reader.highlight" = "h,x"

    [reader]
    reading_width = 72
    theme = "textual-light"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(Exception):
    """The config file exists but cannot be used; the message says why, in one line."""


@dataclass(slots=True)
class Config:
    """Settings read from the config file; defaults when there is none."""

    keymap: dict[str, str] = field(default_factory=dict)
    reading_width: int = 80
    theme: str = ""
    path: Path | None = None


def load_config(path: Path) -> Config:
    """Read `path`; a missing file gives the defaults, a broken one raises ConfigError."""
    if not path.exists():
        return Config()
    import tomllib  # only when there is a file: most people have none

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
    ):
        raise ConfigError(f'{path}: [keys] maps binding ids to key lists, e.g. "app.quit" = "q"')
    reader = data.get("reader", {})
    if not isinstance(reader, dict):
        raise ConfigError(f"{path}: [reader] must be a table")
    width = reader.get("reading_width", 80)
    if not isinstance(width, int) or not 20 <= width <= 400:
        raise ConfigError(f"{path}: reading_width must be a whole number from 20 to 400")
    theme = reader.get("theme", "")
    if not isinstance(theme, str):
        raise ConfigError(f"{path}: theme must be a string")
    return Config(keymap=dict(keys), reading_width=width, theme=theme, path=path)
