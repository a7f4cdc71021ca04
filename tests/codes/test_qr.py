"""The QR code on the presenter view: what it opens, that it is made once, and that a phone can read it."""
import io
import re

import zxingcpp
from PIL import Image

from codes import qr
from codes.setup import code_for, set_custom_code


def decode(chromium, svg: str) -> list[str]:
    """Draw the SVG in Chromium as a phone camera would see it on screen, and read it with a real decoder."""
    page = chromium.new_page(viewport={"width": 600, "height": 600})
    try:
        page.set_content(f'<body style="margin:0;background:#fff"><div id="qr" style="width:420px">{svg}</div>'
                         "<style>#qr svg{width:100%;height:auto;display:block}</style></body>")
        png = page.locator("#qr").screenshot()
    finally:
        page.close()
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_a_live_session_qr_opens_the_live_code_page_with_the_code_filled_in(app, make_session):
    session = make_session()
    with app.test_request_context():
        assert qr.entry_url(session, "PHARM2026") == "http://localhost/live?code=PHARM2026"


def test_a_home_study_qr_opens_the_home_study_code_page(app, make_home_study):
    activity = make_home_study()
    with app.test_request_context():
        assert qr.entry_url(activity, "PHARM2026") == "http://localhost/home-study?code=PHARM2026"


def test_the_entry_address_is_shown_short_enough_to_read_off_a_screen():
    assert qr.short_entry_text("https://cpe.example.org/live?code=PHARM2026") == "cpe.example.org/live"


def test_the_qr_is_made_once_and_kept(app, make_session):
    session = make_session()
    stored = code_for(session)
    with app.test_request_context():
        svg, url = qr.qr_svg(stored, session)
        assert stored.qr_svg == svg and stored.qr_url == url
        stored.qr_svg = svg + "<!-- kept -->"
        assert qr.qr_svg(stored, session)[0].endswith("<!-- kept -->")


def test_a_new_code_or_a_new_address_makes_a_new_qr(app, make_session, host):
    session = make_session()
    stored = code_for(session)
    with app.test_request_context():
        first, _ = qr.qr_svg(stored, session)
        set_custom_code(session, "PHARM2026", host)
        second, url = qr.qr_svg(stored, session)
    assert second != first and url.endswith("?code=PHARM2026")
    with app.test_request_context(base_url="https://cpe.example.org"):
        third, url = qr.qr_svg(stored, session)
    assert third != second and url == "https://cpe.example.org/live?code=PHARM2026"


def test_the_qr_in_the_presenter_view_reads_as_the_code_entry_address(client, auth, host, make_session, chromium):
    session = make_session()
    set_custom_code(session, "PHARM2026", host)
    auth.login(host)
    client.post(f"/host/sessions/{session.id}/reveal")
    page = client.get(f"/host/sessions/{session.id}/present").get_data(as_text=True)
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert decode(chromium, svg) == ["http://localhost/live?code=PHARM2026"]


def test_the_downloadable_qr_reads_as_the_home_study_address(client, auth, host, make_home_study, chromium):
    activity = make_home_study()
    code = code_for(activity).code
    auth.login(host)
    response = client.get(f"/host/sessions/{activity.id}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True).split("\n", 1)[1]
    assert decode(chromium, svg) == [f"http://localhost/home-study?code={code}"]


def test_the_longest_address_still_reads(chromium):
    url = "https://continuing-education.pharmacy-association.example.org/home-study?code=PHARMACY2026X"
    assert decode(chromium, qr.make_svg(url)) == [url]
