"""The badge sheet: a PDF of Avery 5392 badges, read back, its QR codes decoded by a real decoder."""
import io

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from checkin.badge_sheet import MAX_BADGES, badge_sheet_pdf
from checkin.models import Registration
from checkin.registration import register_person, revoke
from core.db import db


def people(event, count, start=0):
    made = []
    for i in range(start, start + count):
        registration, _ = register_person(event, email=f"p{i:03d}@example.org", name=f"Person {i:03d}",
                                          profession="technician" if i % 2 else "pharmacist", source="import",
                                          actor_id=None)
        made.append(registration)
    return made


def decoded_tokens(pdf: bytes) -> list[list[str]]:
    """Every page rendered at 150 dpi, its QR codes decoded, top-left to bottom-right."""
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    try:
        for page in document:
            image = page.render(scale=150 / 72).to_pil()
            found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            found.sort(key=lambda r: (round(r.position.top_left.y / 100), r.position.top_left.x))
            pages.append([r.text for r in found])
            page.close()
    finally:
        document.close()
    return pages


def test_the_host_prints_badges_for_ticked_registrants_and_every_qr_decodes_to_their_token(client, auth, host, event):
    chosen = people(event, 8)
    auth.login(host)
    response = client.post(f"/host/events/{event.id}/badges.pdf",
                           data={"registration": [str(r.id) for r in chosen]})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2  # six to a sheet
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (612, 792)  # US Letter
    text = reader.pages[0].extract_text()
    assert "Person 000" in text and "Pharmacist" in text and "Pharmacy technician" in text and event.title in text
    assert decoded_tokens(pdf) == [[r.badge_token for r in chosen[:6]], [r.badge_token for r in chosen[6:]]]


def test_badges_for_everyone_come_in_batches_of_bounded_size(host, event):
    from checkin.views import _registrant_query

    made = people(event, 7)
    everyone = db.session.scalars(_registrant_query(event, "")).all()
    pdf = badge_sheet_pdf(everyone)
    assert sorted(sum(decoded_tokens(pdf), [])) == sorted(r.badge_token for r in made)
    assert MAX_BADGES % 6 == 0 and MAX_BADGES <= 600


def test_a_batch_button_prints_everyone_in_order(client, auth, host, event):
    made = people(event, 3)
    auth.login(host)
    page = client.get(f"/host/events/{event.id}/registrants").get_data(as_text=True)
    assert "Badges 1–3" in page
    response = client.post(f"/host/events/{event.id}/badges.pdf", data={"batch": "1"})
    assert decoded_tokens(response.data) == [[r.badge_token for r in made]]


def test_nothing_ticked_sends_the_host_back_with_a_message(client, auth, host, event):
    people(event, 1)
    auth.login(host)
    response = client.post(f"/host/events/{event.id}/badges.pdf", data={}, follow_redirects=True)
    assert "Tick the people whose badges you want" in response.get_data(as_text=True)


def test_another_events_registrants_are_never_printed(client, auth, host, event, make_event):
    other = make_event(title="Other meeting")
    theirs = people(other, 1, start=50)
    mine = people(event, 1)
    auth.login(host)
    response = client.post(f"/host/events/{event.id}/badges.pdf",
                           data={"registration": [str(theirs[0].id), str(mine[0].id)]})
    assert decoded_tokens(response.data) == [[mine[0].badge_token]]


def test_a_revoked_badge_is_printed_marked_revoked(host, event):
    made = people(event, 1)
    revoke(made[0], host.id, "cancelled")
    text = PdfReader(io.BytesIO(badge_sheet_pdf(made))).pages[0].extract_text()
    assert "REVOKED" in text
    assert db.session.query(Registration).count() == 1


def test_names_beyond_latin_1_are_printed_as_written_and_their_badges_still_decode(host, event):
    names = ["Nguyễn Thị Ánh", "Łukasz Żółć", "Ελένη Παπαδοπούλου", "Дмитрий Иванов"]
    made = [register_person(event, email=f"n{i}@example.org", name=name, profession="pharmacist", source="import",
                            actor_id=None)[0] for i, name in enumerate(names)]
    pdf = badge_sheet_pdf(made)
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    for name in names:
        assert name in text, name
    assert "?" not in text
    assert decoded_tokens(pdf) == [[r.badge_token for r in made]]
