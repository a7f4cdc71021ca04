"""Hosts import a CSV of registrants: clear per-row errors, nothing imported twice, the rest still imported."""
import io

from accounts.models import User
from checkin.models import Registration
from checkin.registration import MAX_IMPORT_BYTES, import_registrants, read_registrants
from core.db import db


def upload(client, event, content: bytes, name="registrants.csv"):
    return client.post(f"/host/events/{event.id}/registrants/import",
                       data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


GOOD_AND_BAD = (
    "\ufeffEmail;Profession;NAME\r\n"           # Excel: BOM, semicolons, columns in another order and case
    "ana@example.org;Pharmacist;Ana Alvarez\r\n"
    "\r\n"                                       # a blank line
    "not-an-email;pharmacist;Bob Broken\r\n"
    '"ben@example.org";"technician";"Ben ""Benny"" Bright"\r\n'
    "cy@example.org;astronaut;Cy Cosmos\r\n"
    "dee@example.org;;\r\n"
    "ANA@example.org;pharmacist;Ana Again\r\n"
).encode("utf-8")


def test_a_file_with_bad_rows_imports_the_rest_and_says_what_is_wrong_by_row(client, auth, host, event):
    auth.login(host)
    page = upload(client, event, GOOD_AND_BAD).get_data(as_text=True)
    assert "2 registered now (2 with a new account" in page
    assert "1 already registered" in page  # Ana twice in one file
    assert "3 rows not imported" in page
    assert "<td>4</td><td>That does not look like an email address.</td>" in page
    assert "<td>6</td><td>Profession must be one of: pharmacist, technician, physician, other.</td>" in page
    assert "<td>7</td><td>The name is missing.</td>" in page
    ben = db.session.query(User).filter_by(email="ben@example.org").one()
    assert ben.name == 'Ben "Benny" Bright' and ben.profession == "technician" and ben.password_hash is None
    assert db.session.query(Registration).filter_by(event_id=event.id, source="import").count() == 2


def test_people_imported_are_found_at_the_desk_by_any_word_of_their_name(client, auth, host, event):
    from checkin import desk

    auth.login(host)
    upload(client, event, GOOD_AND_BAD)
    assert [p["name"] for p in desk.search(event, "entrance", "bright")] == ['Ben "Benny" Bright']
    assert [p["name"] for p in desk.search(event, "entrance", "benny")] == ['Ben "Benny" Bright']
    assert [p["name"] for p in desk.search(event, "entrance", "alvarez")] == ["Ana Alvarez"]


def test_importing_the_same_file_again_changes_nothing(client, auth, host, event):
    auth.login(host)
    upload(client, event, GOOD_AND_BAD)
    tokens = {r.user_id: r.badge_token for r in db.session.query(Registration)}
    page = upload(client, event, GOOD_AND_BAD).get_data(as_text=True)
    assert "0 registered now" in page and "3 already registered" in page
    assert {r.user_id: r.badge_token for r in db.session.query(Registration)} == tokens
    assert db.session.query(User).count() == 3  # the host, Ana, Ben


def test_people_with_an_account_are_registered_without_a_new_one(client, auth, host, event, attendee):
    auth.login(host)
    page = upload(client, event, b"name,email,profession\nAlex A.,ALEX@example.org,pharmacist\n").get_data(as_text=True)
    assert "1 registered now" in page and "new account" not in page
    registration = db.session.query(Registration).one()
    assert registration.user_id == attendee.id
    assert db.session.get(User, attendee.id).name == "Alex Attendee"  # an import never renames an account


def test_first_and_last_name_columns_and_windows_1252_text_are_read():
    people, errors = read_registrants("First Name,Last Name,E-mail\nZoë,Núñez,zoe@example.org\n")
    assert errors == [] and people[0].name == "Zoë Núñez" and people[0].row == 2
    from checkin.registration import decode_upload

    assert decode_upload("name\nJosé".encode("cp1252")) == "name\nJosé"


def test_a_file_without_the_needed_columns_says_which_ones(client, auth, host, event):
    auth.login(host)
    page = upload(client, event, b"who,where\nAna,Ballroom\n").get_data(as_text=True)
    assert "The first row must name the columns: name, email and profession" in page
    assert db.session.query(Registration).count() == 0


def test_an_empty_file_and_a_missing_file_are_explained(client, auth, host, event):
    auth.login(host)
    assert "The file is empty." in upload(client, event, b"\n\n").get_data(as_text=True)
    response = client.post(f"/host/events/{event.id}/registrants/import", data={},
                           content_type="multipart/form-data")
    assert "Choose the CSV file to import." in response.get_data(as_text=True)


def test_a_file_that_is_too_large_is_refused_in_plain_words(host, event):
    big = b"name,email\n" + b"x" * (MAX_IMPORT_BYTES + 10)
    report = import_registrants(event, big, host.id)
    assert report.imported == 0 and "larger than 4 MB" in report.errors[0][1]


def test_a_large_file_imports_in_chunks(host, event):
    rows = "".join(f"Person {i},p{i}@example.org,pharmacist\n" for i in range(1200))
    report = import_registrants(event, ("name,email,profession\n" + rows).encode(), host.id)
    assert report.imported == 1200 and report.errors == []
    assert db.session.query(Registration).count() == 1200


def test_binary_junk_never_breaks_the_import(host, event):
    report = import_registrants(event, bytes(range(256)) * 20, host.id)
    assert report.imported == 0 and report.errors
