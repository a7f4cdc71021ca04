"""My badge: the attendee's own QR, name, event and profession; a revoked badge says so; the token is never in a URL."""
import io
import re

import zxingcpp
from PIL import Image

from checkin import badge
from checkin.registration import register, revoke


def decode_svg_qr(svg: str) -> str:
    """Rasterise the SVG's modules (qrcode's path of unit squares) and decode it with a real QR decoder."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    scale = 10
    image = Image.new("L", (size * scale, size * scale), 255)
    pixels = image.load()
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        for dx in range(scale):
            for dy in range(scale):
                pixels[int(x) * scale + dx, int(y) * scale + dy] = 0
    results = zxingcpp.read_barcodes(image)
    return results[0].text


def test_my_badge_shows_a_qr_of_my_token_with_my_name_event_and_profession(client, auth, attendee, event):
    registration = register(event, attendee)
    auth.login(attendee)
    response = client.get(f"/events/{event.id}/badge")
    page = response.get_data(as_text=True)
    assert "Alex Attendee" in page and event.title in page and "Pharmacist" in page
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert 'fill="white"' in svg  # black on a white square with its quiet zone
    assert decode_svg_qr(svg) == registration.badge_token
    assert response.headers["Cache-Control"] == "no-store"  # the service worker keeps its own copy
    assert "serviceWorker.register" in page


def test_the_qr_keeps_a_quiet_zone_of_four_modules():
    modules = badge.qr_modules(badge.new_token())
    for row in modules[:4] + modules[-4:]:
        assert not any(row)
    assert not any(any(row[:4]) or any(row[-4:]) for row in modules)


def test_a_revoked_badge_says_so_and_shows_no_qr(client, auth, attendee, host, event):
    registration = register(event, attendee)
    revoke(registration, host.id, "Lost")
    auth.login(attendee)
    page = client.get(f"/events/{event.id}/badge").get_data(as_text=True)
    assert "This badge is revoked" in page and "<svg" not in page
    assert registration.badge_token not in page
    assert "Your badge for this event is revoked" in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_an_attendee_only_ever_sees_their_own_badge(client, auth, attendee, make_user, event):
    other = make_user("bea@example.org", "Bea Other")
    theirs = register(event, other)
    auth.login(attendee)
    page = client.get(f"/events/{event.id}/badge").get_data(as_text=True)
    assert theirs.badge_token not in page and "Bea Other" not in page
    assert "You are not registered for" in page and "Register for this event" in page


def test_the_badge_page_needs_a_login(client, event):
    response = client.get(f"/events/{event.id}/badge")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_badge_token_is_never_part_of_a_url(client, auth, attendee, event):
    registration = register(event, attendee)
    auth.login(attendee)
    page = client.get(f"/events/{event.id}/badge").get_data(as_text=True)
    for link in re.findall(r'(?:href|src|action)="([^"]*)"', page):
        assert registration.badge_token not in link
    assert registration.badge_token not in repr(registration)


def test_the_service_worker_may_look_after_badge_pages_only(client):
    response = client.get("/badge-sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/events/"
