"""Characters that XML 1.0 forbids, found and removed from text read from users' files.

A control character (``\\x00``–``\\x08``, ``\\x0b``, ``\\x0c``, ``\\x0e``–``\\x1f``) or one of
the non-characters U+FFFE/U+FFFF, pasted into a cell or a YAML value, is invisible to
the person who typed it, yet one of them in a ``<w:t>`` makes a whole .docx unreadable
and makes openpyxl raise ``IllegalCharacterError`` when an .xlsx is written. jixiao
removes them where the text is read, and says so there. Tab, line feed and carriage
return are legal and kept.

Excel stores these characters escaped in its files, as ``_x000B_``. python-calamine
(the workbook reader) turns the escape back into the character; openpyxl (the review
sheet reader) leaves it as those seven characters. With ``escaped=True`` the escaped
form of a forbidden character is found and removed too, unless its underscore is itself
escaped (``_x005F_x000B_``: what a person who typed “_x000B_” gets). Text that never
passed through a spreadsheet file (YAML) keeps such letters: there they are what was typed.
"""

from __future__ import annotations

import re

# The characters themselves.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Excel's escaped form of the same characters (OOXML ST_Xstring), unless its underscore is escaped.
ESCAPED_ILLEGAL = re.compile(r"(?<!_x005F)(?<!_x005f)_x(00(?:0[0-8BbCcEeFf]|1[0-9A-Fa-f])|[Ff]{3}[EeFf])_")


def has_illegal(text: str, *, escaped: bool = False) -> bool:
    """Whether the text holds a character XML forbids (or, with `escaped`, Excel's ``_xHHHH_`` form of one)."""
    return bool(XML_ILLEGAL.search(text) or (escaped and ESCAPED_ILLEGAL.search(text)))


def strip_illegal(text: str, *, escaped: bool = False) -> str:
    """The text without the characters XML forbids (and, with `escaped`, their escaped form)."""
    if escaped:
        text = ESCAPED_ILLEGAL.sub("", text)
    return XML_ILLEGAL.sub("", text)


def clean_text(text: str, *, escaped: bool = False) -> tuple[str, bool]:
    """The text without forbidden characters, and whether any was removed."""
    cleaned = strip_illegal(text, escaped=escaped)
    return cleaned, cleaned != text
