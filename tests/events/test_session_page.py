"""The public session page and the state of its submission window."""
import datetime as dt

from core import clock


def test_before_the_end_the_page_says_when_claims_open(client, make_session):
    session = make_session()  # ends in 30 minutes, New York time
    page = client.get(f"/s/{session.id}").get_data(as_text=True)
    assert "Claims open at Sat 21 Nov 2026, 2:30 PM EST" in page
    assert "In 30 minutes" in page


def test_at_the_end_minute_the_page_says_claims_are_open_until_the_close(client, make_session):
    session = make_session()
    clock.move_to(session.ends_at)
    state = client.get(f"/s/{session.id}/window.json").get_json()
    assert state["state"] == "open"
    assert state["headline"] == "Claims are open until Wed 20 Jan 2027, 1:30 PM EST"


def test_after_sixty_days_the_page_says_when_claims_closed(client, make_session):
    session = make_session()
    clock.move_to(session.closes_at - dt.timedelta(seconds=1))
    assert client.get(f"/s/{session.id}/window.json").get_json()["state"] == "open"
    clock.move_to(session.closes_at)
    page = client.get(f"/s/{session.id}").get_data(as_text=True)
    assert "Claims closed on Wed 20 Jan 2027, 1:30 PM EST" in page
    assert "ACPE allows no extensions" in page


def test_page_shows_credit_ceus_speakers_and_uans_with_topic_in_words(client, make_session):
    session = make_session(quarters=6, speakers=("Dr. Maya Chen", "Lee Park"))
    page = client.get(f"/s/{session.id}").get_data(as_text=True)
    assert "1.5 hours (0.15 CEU)" in page
    assert "Dr. Maya Chen, Lee Park" in page
    assert "0205-0000-26-014-L05-P" in page and "0205-0000-26-014-L05-T" in page
    assert "Topic: Patient safety" in page
    assert "Sat 21 Nov 2026, 1:30 PM EST to 2:30 PM EST" in page


def test_unknown_session_is_a_plain_not_found_page(client, app):
    response = client.get("/s/999")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)
