"""Certificate of attendance as a PDF (fpdf2). Not a statement of credit."""
from __future__ import annotations

from fpdf import FPDF

from accounts.profile import PROFESSIONS
from claims.models import Claim
from core.pdf import font_for
from events import credit
from events.localtime import format_local

NOT_A_STATEMENT = (
    "This certificate confirms attendance only. It is not a statement of credit: "
    "for pharmacists and pharmacy technicians, CPE Monitor is the official record of ACPE credit."
)


def certificate_pdf(claim: Claim) -> bytes:
    session = claim.session
    event = session.event
    pdf = FPDF(orientation="landscape", format="letter")
    lines = [
        f"{event.title}{' - ' + event.venue if event.venue else ''}",
        f"Date: {format_local(session.starts_at, event.zone)}" if session.live else f"Completed: {claim.participation_date:%d %b %Y}",
        f"{credit.format_hours(claim.credit_quarter_hours)} ({credit.format_ceus(claim.credit_quarter_hours)})",
    ]
    if claim.uan:
        lines.append(f"ACPE UAN: {claim.uan}")
    elif claim.profession == "physician":
        lines.append("AMA PRA Category 1 Credit(TM) claimed")
    font = font_for(pdf, claim.learner_name, session.title, *lines)
    pdf.set_title(f"Certificate of attendance - {session.title}")
    pdf.set_author("ClaimDesk")
    pdf.add_page()
    pdf.set_auto_page_break(False)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    width = pdf.w - 40
    pdf.set_xy(20, 26)
    pdf.set_font(font, "B", 28)
    pdf.cell(width, 14, "Certificate of Attendance", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 13)
    pdf.set_x(20)
    pdf.cell(width, 10, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "B", 22)
    pdf.set_x(20)
    pdf.cell(width, 13, claim.learner_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 13)
    pdf.set_x(20)
    pdf.cell(width, 9, f"{PROFESSIONS.get(claim.profession, '')}, attended", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "B", 16)
    pdf.set_x(20)
    pdf.multi_cell(width, 9, session.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 12)
    for line in lines:
        pdf.set_x(20)
        pdf.cell(width, 8, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(25, pdf.h - 42)
    pdf.set_font(font, "I", 10)
    pdf.multi_cell(pdf.w - 50, 5.5, NOT_A_STATEMENT, align="C")
    return bytes(pdf.output())
