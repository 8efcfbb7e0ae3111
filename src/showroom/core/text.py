"""Names as people type them."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Names as people type them: full-width or half-width, any case, spaces or not."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
