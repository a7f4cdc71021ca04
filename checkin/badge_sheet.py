"""Printable name badges as a PDF (fpdf2), for Avery 5392 / 74459 sheets:
six 4" x 3" badges on US Letter, two across and three down, 1" top margin,
1/4" side margins. Each badge: event, name, profession and the badge QR code."""
from __future__ import annotations

import itertools
from typing import Iterable

from fpdf import FPDF

from accounts.profile import PROFESSIONS
from checkin import badge
from checkin.models import Registration
from core.pdf import font_for

# Inches, as the label maker specifies them.
COLUMNS, ROWS = 2, 3
BADGE_W, BADGE_H = 4.0, 3.0
LEFT, TOP = 0.25, 1.0
PADDING = 0.2
QR_SIZE = 1.45  # with its own 4-module quiet zone: about 0.17" of white around the code
# One PDF holds at most this many badges (100 sheets); bigger selections are printed in batches.
MAX_BADGES = 600


def _fit(pdf: FPDF, text: str, width: float, size: float, smallest: float) -> None:
    """Set the largest font size (down to `smallest`) at which `text` fits `width`."""
    while size > smallest and pdf.get_string_width(text) > width:
        size -= 0.5
        pdf.set_font_size(size)
    pdf.set_font_size(size)


def _draw_qr(pdf: FPDF, token: str, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles (runs of dark modules), so it prints sharp at any resolution."""
    modules = badge.qr_modules(token)
    unit = size / len(modules)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(modules):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            pdf.rect(x + start * unit, y + row_index * unit, (column - start) * unit, unit, style="F")


def _draw_badge(pdf: FPDF, font: str, registration: Registration, x: float, y: float) -> None:
    user = registration.user
    inner = BADGE_W - 2 * PADDING
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(font, "", 10)
    title = registration.event.title
    _fit(pdf, title, inner, 10, 6)
    pdf.set_xy(x + PADDING, y + PADDING)
    pdf.cell(inner, 0.22, title, align="C")
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.01)
    pdf.line(x + PADDING, y + PADDING + 0.3, x + BADGE_W - PADDING, y + PADDING + 0.3)
    text_w = inner - QR_SIZE - 0.1
    # The name across the whole badge, as large as fits on one line; very long names wrap onto a second.
    name = user.name
    pdf.set_font(font, "B", 26)
    _fit(pdf, name, inner, 26, 15)
    line = pdf.font_size_pt / 72 * 1.15
    pdf.set_xy(x + PADDING, y + 0.55)
    pdf.multi_cell(inner, line, name, align="L", max_line_height=line)
    pdf.set_font(font, "", 12)
    pdf.set_xy(x + PADDING, y + BADGE_H - PADDING - 0.35)
    pdf.cell(text_w, 0.3, PROFESSIONS.get(user.profession or "", ""), align="L")
    if registration.is_revoked:
        pdf.set_xy(x + PADDING, y + BADGE_H - PADDING - 0.7)
        pdf.set_font(font, "B", 12)
        pdf.cell(text_w, 0.3, "REVOKED", align="L")
    _draw_qr(pdf, registration.badge_token, x + BADGE_W - PADDING - QR_SIZE + 0.1,
             y + BADGE_H - PADDING - QR_SIZE + 0.05, QR_SIZE)


def badge_sheet_pdf(registrations: Iterable[Registration], title: str = "Badges") -> bytes:
    """A PDF of badges, six to a sheet, in the order given (at most MAX_BADGES)."""
    pdf = FPDF(unit="in", format="letter")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0)
    pdf.set_title(title)
    pdf.set_author("ClaimDesk")
    per_page = COLUMNS * ROWS
    registrations = list(itertools.islice(registrations, MAX_BADGES))
    # One font for the whole sheet, so the badges look alike.
    font = font_for(pdf, *(text for r in registrations for text in (r.user.name, r.event.title)))
    count = 0
    for registration in registrations:
        slot = count % per_page
        if slot == 0:
            pdf.add_page()
        column, row = slot % COLUMNS, slot // COLUMNS
        _draw_badge(pdf, font, registration, LEFT + column * BADGE_W, TOP + row * BADGE_H)
        count += 1
    if count == 0:
        pdf.add_page()
        pdf.set_font(font, "", 14)
        pdf.set_xy(1, 1)
        pdf.cell(6, 0.4, "No badges were selected.")
    return bytes(pdf.output())
