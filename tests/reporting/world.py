"""A conference after the fact, built row by row so every figure in its reports is known.

"Pharmacy Update" (check-in required) has two sessions:

- "Anticoagulation update" (1.5 hours, speakers Dr. Maya Chen and Dr. Omar Reyes)
- "Immunization law" (1 hour, speaker Dr. Lee Park)

Five attendees: Ann (pharmacist), Ben (technician), Cal (physician), Dee (other), Eve (revoked badge).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core import clock
from core.db import db


@dataclass
class World:
    event: object
    anticoag: object
    law: object
    people: dict


def build(host, person, make_event_title: str = "Pharmacy Update") -> World:
    from checkin.models import ENTRANCE, Checkin, Registration, session_list
    from claims.models import Claim, OutboxEntry
    from codes.models import Redemption
    from evaluations.models import PosttestAttempt
    from evaluations.questions import active_questions
    from evaluations.responses import Answer, submit_evaluation
    from events.models import EventSession, Speaker
    from events.setup import create_event

    event = create_event(host, title=make_event_title, venue="Ballroom", timezone="America/New_York",
                         checkin_required=True)
    start = clock.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)

    def session(title, starts, quarters, speakers):
        item = EventSession(title=title, kind="live", starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
                            credit_quarter_hours=quarters, uan_pharmacist="0205-0000-26-014-L05-P",
                            uan_technician="0205-0000-26-014-L05-T")
        item.speakers = [Speaker(name=name, position=i) for i, name in enumerate(speakers)]
        event.sessions.append(item)
        item.refresh_window()
        db.session.flush()
        return item

    anticoag = session("Anticoagulation update", start, 6, ["Dr. Maya Chen", "Dr. Omar Reyes"])
    law = session("Immunization law", start + dt.timedelta(hours=1), 4, ["Dr. Lee Park"])
    db.session.commit()

    people = {
        "ann": person("ann@example.org", "Ann Archer", profession="pharmacist"),
        "ben": person("ben@example.org", "Ben Baker", profession="technician"),
        "cal": person("cal@example.org", "Cal Cruz", profession="physician"),
        "dee": person("dee@example.org", "Dee Diaz", profession="other"),
        "eve": person("eve@example.org", "Eve Evans", profession="pharmacist"),
    }
    ann, ben, cal, dee, eve = people.values()
    now = clock.now()

    for user in (ann, ben, cal, dee, eve):
        db.session.add(Registration(event_id=event.id, user_id=user.id, registered_at=now))
    db.session.flush()
    revoked = db.session.scalar(db.select(Registration).where(Registration.user_id == eve.id))
    revoked.revoked_at, revoked.revoked_by_id, revoked.revoke_reason = now, host.id, "Duplicate badge"

    for user, list_key in ((ann, ENTRANCE), (ben, ENTRANCE), (cal, ENTRANCE),
                           (ann, session_list(anticoag.id)), (ben, session_list(anticoag.id)),
                           (cal, session_list(law.id))):
        db.session.add(Checkin(event_id=event.id, list_key=list_key, user_id=user.id, checked_in_at=now))

    for user in (ann, ben, cal, dee):
        db.session.add(Redemption(user_id=user.id, session_id=anticoag.id, redeemed_at=now))
    db.session.add(Redemption(user_id=ann.id, session_id=law.id, redeemed_at=now))

    # Posttest: Ann passes first time, Ben on his second attempt, Cal fails.
    for user, number, passed in ((ann, 1, True), (ben, 1, False), (ben, 2, True), (cal, 1, False)):
        db.session.add(PosttestAttempt(user_id=user.id, session_id=anticoag.id, number=number, started_at=now,
                                       submitted_at=now, score_percent=90 if passed else 40, passed=passed))
    db.session.commit()

    # Evaluations, through the real domain function (anonymous responses).
    course = active_questions(event, "course")  # three 1-5 questions, then "Comments"
    speaker_questions = active_questions(event, "speaker")  # two 1-5 questions, then "Comments"
    chen, reyes = anticoag.speakers

    def answers(questions, values, comment):
        scale = [q for q in questions if q.scale]
        given = [Answer(q.id, scale_value=v) for q, v in zip(scale, values)]
        text = [q for q in questions if not q.scale]
        if comment:
            given.append(Answer(text[0].id, text_value=comment))
        return given

    submit_evaluation(ann.id, anticoag, None, course, answers(course, (5, 5, 4), "Great cases"))
    submit_evaluation(ben.id, anticoag, None, course, answers(course, (4, 3, 4), "=1+1 too fast"))
    submit_evaluation(cal.id, anticoag, None, course, answers(course, (5, 2, 4), None))
    submit_evaluation(ann.id, anticoag, chen, speaker_questions, answers(speaker_questions, (5, 5), "Clear"))
    submit_evaluation(ben.id, anticoag, chen, speaker_questions, answers(speaker_questions, (3, 4), None))
    submit_evaluation(ann.id, anticoag, reyes, speaker_questions, answers(speaker_questions, (2, 3), None))
    submit_evaluation(ann.id, law, None, course, answers(course, (1, 1, 1), None))

    def claim(user, item, profession, state):
        uan = {"pharmacist": item.uan_pharmacist, "technician": item.uan_technician}.get(profession)
        row = Claim(user_id=user.id, session_id=item.id, profession=profession, uan=uan,
                    credit_quarter_hours=item.credit_quarter_hours, learner_name=user.name,
                    participation_date=item.starts_at.astimezone(event.zone).date(), claimed_at=now)
        db.session.add(row)
        db.session.flush()
        if state is not None:
            target = "pars" if profession == "physician" else "cpe_monitor"
            db.session.add(OutboxEntry(claim_id=row.id, target=target, state=state, created_at=now,
                                        accepted_at=now if state == "accepted" else None))
        return row

    claim(ann, anticoag, "pharmacist", "accepted")
    claim(ben, anticoag, "technician", "rejected_fixable")
    claim(cal, anticoag, "physician", "pending")
    claim(dee, anticoag, "other", None)
    claim(ann, law, "pharmacist", "expired")
    db.session.commit()
    return World(event=event, anticoag=anticoag, law=law, people=people)
