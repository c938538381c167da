"""Turn the bytes of a file into text: byte-order marks, UTF-8, UTF-16/32, legacy encodings.

The order of the checks matters: a byte-order mark is the strongest evidence, then the bytes of
known binary formats, then NUL bytes (UTF-16/32 or binary), then strict UTF-8 (which legacy
text almost never passes by accident), then a charset the file declares, and only then the
statistical guess of charset-normalizer.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from tui.document.errors import DocumentError

#: Leading bytes of formats that are certainly not text, with a name to tell the person.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (or an EPUB, DOCX or ODT file)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh91AY&SY", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable program"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 audio file"),
    (b"\x00\x00\x01\x00", "an icon image"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian mark starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']")
_META_CHARSET = re.compile(
    rb"<meta[^>]{0,400}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]{1,40})", re.IGNORECASE
)

#: Labels that browsers (WHATWG Encoding Standard) read as a wider encoding than Python does.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gbk",
    "gb_2312-80": "gbk",
    "x-gbk": "gbk",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
}

# C0 controls that never occur in real text (tab, newlines, form feed and ESC do).
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_SAMPLE = 65536


def canonical_encoding(name: str) -> str:
    """Python's canonical spelling of an encoding name ("KOI8_R" -> "koi8-r")."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text file; return `(text, encoding name)`.

    A leading byte-order mark is removed; nothing else is changed (line ends and Unicode
    normalisation are `normalize_text`'s job). Raises `DocumentError` for binary data.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            codec = "utf-8" if name == "utf-8-sig" else name
            # The mark says what the file is; a damaged byte here and there is replaced.
            text = data[len(bom) :].decode(codec, errors="replace")
            return _refuse_binary_text(text), name

    if data.startswith(b"PK\x03\x04") and b"mimetypeapplication/epub+zip" in data[:100]:
        raise DocumentError("this is an EPUB book, which margin cannot read yet")
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise DocumentError(f"this is {what}, not text")

    if b"\x00" in data:
        wide = _guess_wide_unicode(data)
        if wide is None:
            raise DocumentError("this is a binary file (it contains NUL bytes), not text")
        try:
            return _refuse_binary_text(data.decode(wide)), wide
        except UnicodeDecodeError:
            raise DocumentError("this is a binary file (it contains NUL bytes), not text") from None

    try:
        return _refuse_binary_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass

    declared = declared_charset(data)
    if declared:
        try:
            return _refuse_binary_text(data.decode(declared)), declared
        except (UnicodeDecodeError, LookupError):
            pass

    mostly = _mostly_utf8(data)
    if mostly is not None:
        return _refuse_binary_text(mostly), "utf-8"

    return _detect_legacy(data)


def declared_charset(data: bytes) -> str | None:
    """The charset named by an XML declaration or an HTML `<meta>` near the start, if any.

    Returns a Python codec name, widened as browsers do (ISO-8859-1 reads as windows-1252).
    UTF-16/32 labels are ignored: such a file would have shown its NUL bytes or its mark.
    """
    head = data[:4096]
    match = _XML_DECL.search(head) or _META_CHARSET.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii", errors="ignore").strip().lower()
    label = _LABEL_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None
    return name


def normalize_text(text: str) -> str:
    """Line ends to `\\n` (CRLF and lone CR) and Unicode NFC; every other character is kept."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _guess_wide_unicode(data: bytes) -> str | None:
    """UTF-16 or UTF-32 without a byte-order mark, when the NUL pattern makes it evident.

    Mostly-Latin UTF-16 text has a NUL in nearly every other byte, always on the same side;
    UTF-32 has three NULs in four. Binary data has NULs scattered without such a rhythm.
    """
    sample = data[:_SAMPLE]
    if len(sample) < 4:
        return None
    if len(data) % 4 == 0:
        quads = len(sample) // 4
        counts = [sample[i::4][:quads].count(0) for i in range(4)]
        if counts[1] == counts[2] == counts[3] == quads and counts[0] < quads:
            return "utf-32-le"
        if counts[0] == counts[1] == counts[2] == quads and counts[3] < quads:
            return "utf-32-be"
    if len(data) % 2:
        return None
    pairs = len(sample) // 2
    even, odd = sample[0::2][:pairs].count(0), sample[1::2][:pairs].count(0)
    if odd >= 0.3 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few damaged bytes, decoded with replacements; None if it is not that.

    A legacy-encoded file almost never holds many valid multi-byte UTF-8 sequences, so many
    good ones against very few bad ones means UTF-8 that got damaged (or mixed) somewhere.
    """
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd")
    bad = replaced - data.count(b"\xef\xbf\xbd")
    good = len(text) - len(text.encode("ascii", errors="ignore")) - replaced
    if good >= 20 and bad * 50 <= good:
        return text
    return None


def _detect_legacy(data: bytes) -> tuple[str, str]:
    """Guess a legacy single- or multi-byte encoding with charset-normalizer."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise DocumentError("this does not look like text (no character encoding fits it)")
    name = canonical_encoding(best.encoding)
    try:
        text = data.decode(name)
    except (UnicodeDecodeError, LookupError):
        text = str(best)
    return _refuse_binary_text(text), name


def _refuse_binary_text(text: str) -> str:
    """Refuse decoded "text" that is mostly control characters (binary data in disguise)."""
    sample = text[:_SAMPLE]
    if sample and len(_BINARY_CONTROLS.findall(sample)) > 0.1 * len(sample):
        raise DocumentError("this is a binary file (mostly control characters), not text")
    return text
