"""The fonts of ClaimDesk's PDFs (certificates, badge sheets).

A PDF's built-in Helvetica writes Latin-1 only: Nguyễn, Łukasz, Ελένη or
Дмитрий would come out as '?'. Names like these get DejaVu Sans (from npm, see
package.json), embedded in the PDF. Reading its font files costs about 0.1 s,
so a document whose text is all Latin-1 keeps the built-in font.
"""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONT_FOLDER = Path(__file__).resolve().parents[1] / "node_modules" / "dejavu-fonts-ttf" / "ttf"
BUILT_IN = "Helvetica"
UNICODE = "DejaVu"
_UNICODE_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def font_for(pdf: FPDF, *texts: str) -> str:
    """The font family that writes every one of `texts` in `pdf` (adding DejaVu Sans to it when needed)."""
    if all(_latin1(text or "") for text in texts):
        return BUILT_IN
    if UNICODE.lower() not in pdf.fonts:  # fpdf2 keys its fonts by lower-case family and style
        for style, name in _UNICODE_FILES.items():
            pdf.add_font(UNICODE, style, FONT_FOLDER / name)
    return UNICODE
