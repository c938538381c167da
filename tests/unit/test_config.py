"""The config file: defaults, key remapping, and clear errors for broken files."""

from __future__ import annotations

import pytest

from tui.config import Config, ConfigError, load_config


def test_missing_file_gives_defaults(tmp_path):
    assert load_config(tmp_path / "none.toml") == Config()


def test_keys_and_reader_settings(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[keys]\n"article.next_sentence" = "j,ctrl+n"\n'
        '[reader]\nreading_width = 72\ntheme = "nord"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.keymap == {"article.next_sentence": "j,ctrl+n"}
    assert config.reading_width == 72 and config.theme == "nord"


@pytest.mark.parametrize(
    "content, words",
    [
        ("[keys\n", "config.toml"),
        ("[keys]\nx = 3\n", "binding ids"),
        ("[reader]\nreading_width = 5\n", "reading_width"),
        ("reader = 3\n", "[reader]"),
    ],
)
def test_broken_files_raise_one_line(tmp_path, content, words):
    path = tmp_path / "config.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert words in str(info.value)
    assert "\n" not in str(info.value)
