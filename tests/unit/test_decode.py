"""Decoding bytes into text: marks, UTF-8/16/32, legacy encodings, binary refusal."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from tui.document import DocumentError, decode_bytes, normalize_text
from tui.document.decode import canonical_encoding, declared_charset

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
TEXTS = SHARED / "corpus" / "texts"
LEGACY = TEXTS / "legacy-encodings"

RUSSIAN = "Мой дядя самых честных правил, когда не в шутку занемог. Ёлка, щука, эхо, юла."
# What UTF-8 or Cyrillic read with the wrong single-byte table typically looks like.
MOJIBAKE = re.compile("[ÐÑÃâ€ÂЃЌЉЊЋЏђ‘’“”•–—˜™љ›њќћџ]{2}|Р[ЃЌЉЊЏ°±Ѓ]|вЂ")


def cyrillic_share(text: str) -> float:
    """Share of Cyrillic letters among all letters of `text`."""
    letters = [ch for ch in text if ch.isalpha()]
    return sum("\u0400" <= ch <= "\u04ff" for ch in letters) / max(1, len(letters))


@pytest.mark.parametrize(
    ("codec", "expected_name"),
    [
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", None),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("utf-32-le", "utf-32-le"),
        ("utf-32-be", "utf-32-be"),
    ],
)
def test_byte_order_marks_are_read_and_removed(codec: str, expected_name: str | None) -> None:
    boms = {
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }
    data = RUSSIAN.encode(codec)
    if codec in boms:
        data = boms[codec] + data
    text, name = decode_bytes(data)
    assert text == RUSSIAN
    assert not text.startswith("\ufeff")
    if expected_name:
        assert name == expected_name
    else:
        assert name.startswith("utf-16")


def test_plain_utf8_is_strict_utf8() -> None:
    text, name = decode_bytes(RUSSIAN.encode("utf-8"))
    assert (text, name) == (RUSSIAN, "utf-8")


def test_ascii_is_utf8() -> None:
    assert decode_bytes(b"plain old ascii\n") == ("plain old ascii\n", "utf-8")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_wide_unicode_without_mark_is_recognised_by_its_nul_rhythm(codec: str) -> None:
    sample = "The quick brown fox jumps over the lazy dog.\nLine two, caf\u00e9 and na\u00efve.\n"
    text, name = decode_bytes((sample * 20).encode(codec))
    assert text == sample * 20
    assert name == codec


@pytest.mark.parametrize(
    "path",
    [
        TEXTS / "pushkin-evgeniy-onegin-ru.cp1251.txt",
        TEXTS / "derived-pushkin-evgeniy-onegin-ru.koi8-r.txt",
    ],
    ids=lambda p: p.name,
)
def test_legacy_cyrillic_books_read_as_cyrillic(path: Path) -> None:
    text, name = decode_bytes(path.read_bytes())
    assert name in {"cp1251", "koi8-r"}
    assert name == ("koi8-r" if "koi8" in path.name else "cp1251")
    assert "Евгений Онегин" in text
    assert "Мой дядя самых честных правил" in text
    assert cyrillic_share(text) > 0.9
    assert not MOJIBAKE.search(text[:20000])


@pytest.mark.parametrize("path", sorted(LEGACY.glob("*.xml")), ids=lambda p: p.name)
def test_legacy_feeds_read_as_cyrillic_with_and_without_their_declaration(path: Path) -> None:
    data = path.read_bytes()
    expected = "koi8-r" if "koi8" in path.name else "cp1251"
    text, name = decode_bytes(data)
    assert name == expected
    assert "Новости" in text or "Авиация" in text
    # Tags and links are Latin; the titles and descriptions are Russian.
    titles = " ".join(re.findall(r"<title>([^<]*)</title>", text))
    assert cyrillic_share(titles) > 0.6
    assert not MOJIBAKE.search(text)

    # Without the XML declaration only statistics (charset-normalizer) are left.
    bare = data.split(b"?>", 1)[1]
    guessed, guessed_name = decode_bytes(bare)
    assert guessed_name == expected
    assert guessed == text.split("?>", 1)[1]


def test_declared_charset_is_honoured_for_short_legacy_html() -> None:
    page = '<html><head><meta charset="windows-1251"><title>Тест</title></head><body>Привет</body>'
    text, name = decode_bytes(page.encode("cp1251"))
    assert name == "cp1251"
    assert "Привет" in text and "Тест" in text


def test_latin1_declaration_reads_as_windows_1252_like_browsers() -> None:
    page = (
        '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
        "caf\xe9 \x93quoted\x94"
    ).encode("latin-1")
    text, name = decode_bytes(page)
    assert name == "cp1252"
    assert text.endswith("café “quoted”")


def test_valid_utf8_wins_over_a_wrong_declaration() -> None:
    page = '<meta charset="iso-8859-1"><p>Zürich – naïve</p>'.encode()
    text, name = decode_bytes(page)
    assert name == "utf-8"
    assert "Zürich – naïve" in text


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<?xml version="1.0" encoding="KOI8-R"?><rss/>', "koi8-r"),
        (b'<meta charset="utf-8">', "utf-8"),
        (b"<META HTTP-EQUIV='content-type' CONTENT='text/html; charset=Shift_JIS'>", "cp932"),
        (b'<meta charset="no-such-charset">', None),
        (b'<meta charset="utf-16">', None),
        (b"no declaration at all", None),
    ],
)
def test_declared_charset(head: bytes, expected: str | None) -> None:
    assert declared_charset(head) == expected


def test_mostly_utf8_with_a_damaged_byte_keeps_the_utf8() -> None:
    good = ("Größenordnung – «Ёлка» – 日本語. " * 10).encode()
    data = good + b"\xff" + good
    text, name = decode_bytes(data)
    assert name == "utf-8"
    assert text.count("\ufffd") == 1
    assert "Größenordnung – «Ёлка» – 日本語." in text


@pytest.mark.parametrize(
    ("data", "word"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(20) + b"mimetypeapplication/epub+zip",
            "EPUB",
        ),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(20) + b"word/document.xml", "ZIP"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(64), "program"),
        (b"SQLite format 3\x00" + bytes(100), "SQLite"),
        (b"some text\x00with a nul\x00\x01\x02\x03 inside", "NUL"),
        (bytes(range(256)) * 8, "NUL"),
        (bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 50 + b"abc", "control"),
    ],
)
def test_binary_data_is_refused_with_one_line(data: bytes, word: str) -> None:
    with pytest.raises(DocumentError) as caught:
        decode_bytes(data)
    message = str(caught.value)
    assert word in message
    assert "\n" not in message


def test_controls_other_than_newline_and_tab_are_kept() -> None:
    sample = "a\x1b[31mred\x1b[0m b\x85c \u202eevil\u202c \x0cform\tfeed\n"
    text, _ = decode_bytes(sample.encode())
    assert text == sample


def test_normalize_text_line_ends_and_nfc() -> None:
    raw = "one\r\ntwo\rthree\n\tcafe\u0301\r\n\r\n"
    assert normalize_text(raw) == "one\ntwo\nthree\n\tcafé\n\n"


def test_normalize_text_keeps_everything_else() -> None:
    raw = "x\x1b[1my\x00z\u202e\u2028\u00a0\x0b\x0c"
    assert normalize_text(raw) == raw


def test_canonical_encoding() -> None:
    assert canonical_encoding("KOI8_R") == "koi8-r"
    assert canonical_encoding("windows-1251") == "cp1251"
    assert canonical_encoding("made-up") == "made-up"
