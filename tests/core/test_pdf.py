"""PDF fonts: the built-in font while the text is Latin-1, DejaVu Sans (embedded) beyond it."""
from fpdf import FPDF

from core.pdf import BUILT_IN, UNICODE, font_for


def test_latin_1_text_keeps_the_built_in_font_and_anything_else_gets_dejavu():
    pdf = FPDF()
    assert font_for(pdf, "José Álvarez", "Zoë Brontë", "") == BUILT_IN
    assert pdf.fonts == {}  # no font file read for it
    assert font_for(pdf, "José Álvarez", "Łukasz Żółć") == UNICODE
    assert font_for(pdf, "Session – “Anticoagulation”") == UNICODE  # an en dash and curly quotes too
    assert sorted(pdf.fonts) == ["dejavu", "dejavuB", "dejavuI"]  # added once, in three styles
