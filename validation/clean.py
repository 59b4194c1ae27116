"""Cleaning of text values on their way from Stash to Plex.

Values are cleaned, not rewritten: only characters that are invalid or invisible noise go
(control characters, lone surrogates, XML-illegal noncharacters), line breaks are unified, the
ends are trimmed and lengths are capped. Quotes, accents, emoji, zero-width joiners and variation
selectors stay exactly as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

TITLE_MAX = 255
NAME_MAX = 255
SUMMARY_MAX = 20_000

# C0/C1 controls except tab and line feed; lone surrogates cannot be encoded as UTF-8;
# U+FFFE/U+FFFF are illegal in XML, and Plex answers in XML.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile("\r\n?")
_SINGLE_LINE = re.compile("[\t\n\u2028\u2029]+")
_ZWJ = "\u200d"
# How far a cut may move back to keep an emoji or combining sequence whole.
_MAX_CLUSTER = 32


def strip_controls(value: str, *, multiline: bool) -> str:
    """Unify line breaks and drop control characters; single-line values get spaces instead."""
    text = _CONTROL.sub("", _LINE_BREAK.sub("\n", value))
    return text if multiline else _SINGLE_LINE.sub(" ", text)


def has_controls(value: str) -> bool:
    """Whether `strip_controls` would drop characters (line-break unification aside)."""
    return _CONTROL.search(_LINE_BREAK.sub("\n", value)) is not None


def cap(value: str, limit: int) -> str:
    """Cut `value` to at most `limit` characters, never inside a joined character sequence."""
    if len(value) <= limit:
        return value
    floor = max(0, limit - _MAX_CLUSTER)
    cut = limit
    while cut > floor and _joined(value[cut - 1], value[cut]):
        cut -= 1
    if cut == floor and floor > 0:
        cut = limit  # one enormous sequence: a hard cut beats dropping everything
    return value[:cut].rstrip()


def text(value: str, limit: int = SUMMARY_MAX) -> str:
    """A multi-line value such as a summary: paragraphs are kept."""
    return cap(strip_controls(value, multiline=True).strip(), limit)


def line(value: str, limit: int = NAME_MAX) -> str:
    """A single-line value such as a title, studio or tag name."""
    return cap(strip_controls(value, multiline=False).strip(), limit)


def fold(name: str) -> str:
    """Comparison key for names that Plex treats case-insensitively."""
    return unicodedata.normalize("NFC", name).casefold()


def names(values: Iterable[str], limit: int = NAME_MAX) -> list[str]:
    """Cleaned names in their original order; empty ones dropped, the first spelling kept."""
    seen: set[str] = set()
    result = []
    for value in values:
        name = line(value, limit)
        key = fold(name)
        if name and key not in seen:
            seen.add(key)
            result.append(name)
    return result


def _joined(before: str, after: str) -> bool:
    """Whether a cut between these two characters would split one visible character."""
    if before == _ZWJ or after == _ZWJ:
        return True
    if _is_regional_indicator(before) and _is_regional_indicator(after):
        return True
    return unicodedata.category(after) in ("Mn", "Mc", "Me") or _is_modifier(after)


def _is_regional_indicator(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _is_modifier(char: str) -> bool:
    return (
        "\ufe00" <= char <= "\ufe0f"  # variation selectors
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin tones
        or "\U000e0020" <= char <= "\U000e007f"  # tag characters of subdivision flags
        or "\U000e0100" <= char <= "\U000e01ef"  # variation selectors supplement
    )
