"""A host reads the session's evaluations: per question the spread of 1-5 answers and the average, and the comments."""
from __future__ import annotations

import html
import json
import re
from decimal import Decimal

import pytest

from reporting.reports import QuestionResult, evaluation_results


def by_label(results):
    return {target.label: target for target in results}


def test_course_results_give_each_questions_distribution_average_and_comments(world):
    course = by_label(evaluation_results(world.anticoag))["Course"]
    assert course.responses == 3
    objectives, relevant, unbiased = course.scale_questions
    assert objectives.text == "The learning objectives were met"
    assert objectives.distribution == {1: 0, 2: 0, 3: 0, 4: 1, 5: 2}
    assert objectives.average == Decimal("4.67")
    assert relevant.distribution == {1: 0, 2: 1, 3: 1, 4: 0, 5: 1}
    assert relevant.average == Decimal("3.33")
    assert (unbiased.answered, unbiased.average) == (3, Decimal("4.00"))
    (comments,) = course.text_questions
    assert sorted(comments.comments) == ["=1+1 too fast", "Great cases"]


def test_each_speaker_has_results_of_their_own(world):
    results = evaluation_results(world.anticoag)
    assert [target.label for target in results] == ["Course", "Dr. Maya Chen", "Dr. Omar Reyes"]
    chen, reyes = results[1], results[2]
    assert chen.responses == 2
    assert [q.average for q in chen.scale_questions] == [Decimal("4.00"), Decimal("4.50")]
    assert chen.text_questions[0].comments == ["Clear"]
    assert reyes.responses == 1
    assert [q.distribution for q in reyes.scale_questions] == [{1: 0, 2: 1, 3: 0, 4: 0, 5: 0},
                                                               {1: 0, 2: 0, 3: 1, 4: 0, 5: 0}]
    assert reyes.text_questions[0].comments == []


def test_a_speaker_nobody_evaluated_shows_no_average(world):
    park = by_label(evaluation_results(world.law))["Dr. Lee Park"]
    assert park.responses == 0
    assert all(q.average is None and q.answered == 0 for q in park.scale_questions)


def test_answers_of_one_session_never_count_in_another(world):
    course = by_label(evaluation_results(world.law))["Course"]
    assert course.responses == 1
    assert [q.distribution[1] for q in course.scale_questions] == [1, 1, 1]


def test_a_reworded_question_keeps_its_answers_under_the_words_they_answered(world, host):
    from evaluations.questions import active_questions, edit_question

    old = active_questions(world.event, "speaker")[1]
    edit_question(old, "The speaker answered questions well", True, None, host.id)
    anticoag = evaluation_results(world.anticoag)
    reyes = by_label(anticoag)["Dr. Omar Reyes"]
    texts = [(q.text, q.retired, q.answered) for q in reyes.scale_questions]
    assert ("The speaker was knowledgeable", True, 1) in texts
    assert ("The speaker answered questions well", False, 0) in texts
    # Dr. Park was never evaluated: the retired question has nothing to show there.
    park = by_label(evaluation_results(world.law))["Dr. Lee Park"]
    assert [q.text for q in park.scale_questions] == ["The speaker was effective", "The speaker answered questions well"]


def test_the_average_rounds_half_up_to_two_places():
    question = QuestionResult(1, "Q", scale=True, retired=False)
    question.distribution.update({1: 1, 2: 0, 3: 0, 4: 0, 5: 7})  # 36 / 8 = 4.5
    assert question.average == Decimal("4.50")
    question.distribution.update({1: 2, 5: 1})  # 7 / 3 = 2.333…
    assert question.average == Decimal("2.33")
    question.distribution.update({1: 1, 2: 1, 5: 0})  # 3 / 2
    assert question.average == Decimal("1.50")


def test_the_session_page_shows_the_numbers_beside_the_chart_data(world, host, logged_in):
    page = logged_in(host).get(f"/host/events/{world.event.id}/reports/sessions/{world.anticoag.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Course evaluation" in text and "Speaker: Dr. Maya Chen" in text and "Speaker: Dr. Omar Reyes" in text
    assert "3 responses" in text and "1 response<" in text
    row = re.search(r"The learning objectives were met</th>(.*?)</tr>", text, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["3", "4.67", "0", "0", "0", "1", "2"]
    assert "<li>=1+1 too fast</li>" in text and "<li>Great cases</li>" in text
    canvas = re.search(r'<canvas id="chart-course"[^>]*data-likert="([^"]*)"', text).group(1)
    chart = json.loads(html.unescape(canvas))
    assert chart["labels"][0] == "The learning objectives were met"
    assert chart["series"]["5"] == [2, 1, 0]
    assert "/vendor/chart.umd.min.js" in text


def test_comments_are_shown_as_text_never_as_markup(world, host, logged_in):
    from evaluations.questions import active_questions
    from evaluations.responses import Answer, submit_evaluation

    course = active_questions(world.event, "course")
    comment_question = next(q for q in course if not q.scale)
    submit_evaluation(world.people["dee"].id, world.anticoag, None, course,
                      [Answer(comment_question.id, text_value="<script>alert(1)</script>")])
    text = logged_in(host).get(f"/host/events/{world.event.id}/reports/sessions/{world.anticoag.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_chart_library_is_served_from_the_pinned_package(client):
    response = client.get("/vendor/chart.umd.min.js")
    assert response.status_code == 200
    assert b"Chart.js v4.6.1" in response.data[:400]
    response.close()


@pytest.fixture
def posttest_answers(world, host):
    """Two posttest questions; the world's submitted attempts answered them, and Dee's open attempt too."""
    from core import clock
    from core.db import db
    from evaluations.models import PosttestAnswer, PosttestAttempt
    from evaluations.posttest import QuestionDraft, add_posttest_question, save_posttest_settings

    save_posttest_settings(world.anticoag, 70, host.id)
    questions = [add_posttest_question(world.anticoag, QuestionDraft(f"Question {n}?", ["Right", "Wrong", "Also wrong"], 0),
                                       host.id) for n in (1, 2)]
    people = world.people
    db.session.add(PosttestAttempt(user_id=people["dee"].id, session_id=world.anticoag.id, number=1,
                                   started_at=clock.now()))
    db.session.commit()
    picks = {("ann", 1): ("Right", "Right"), ("ben", 1): ("Wrong", "Right"), ("ben", 2): ("Right", "Right"),
             ("cal", 1): ("Wrong", "Also wrong"), ("dee", 1): ("Also wrong", "Also wrong")}
    for (who, number), texts in picks.items():
        attempt = db.session.scalar(db.select(PosttestAttempt).where(
            PosttestAttempt.user_id == people[who].id, PosttestAttempt.number == number))
        for question, text in zip(questions, texts):
            choice = next(c for c in question.choices if c.text == text)
            db.session.add(PosttestAnswer(attempt_id=attempt.id, question_id=question.id, choice_id=choice.id))
    db.session.commit()
    return questions


def test_posttest_results_count_each_choice_in_submitted_attempts_only(world, posttest_answers):
    from reporting.reports import posttest_results

    results = posttest_results(world.anticoag)
    assert (results.pass_mark, results.attempts, results.people, results.passed) == (70, 4, 3, 2)
    first, second = results.questions
    assert [(c.text, c.correct, c.chosen) for c in first.choices] == [
        ("Right", True, 2), ("Wrong", False, 2), ("Also wrong", False, 0)]
    assert (first.answered, first.answered_correctly, first.percent_correct) == (4, 2, 50)
    assert (second.answered, second.percent_correct) == (4, 75)
    assert results.chart()["values"] == [50, 75]


def test_a_session_without_a_posttest_has_no_posttest_results(world):
    from reporting.reports import posttest_results

    assert posttest_results(world.law) is None


def test_the_session_page_shows_the_posttest_answers(world, posttest_answers, host, logged_in):
    text = logged_in(host).get(f"/host/events/{world.event.id}/reports/sessions/{world.anticoag.id}").get_data(as_text=True)
    assert "Pass mark 70% · 3 took it (4 attempts) · 2 passed" in text
    row = re.search(r"Q1\. Question 1\?(.*?)</tr>", text, re.S).group(1)
    assert "Right <span class=\"tag\">right answer</span>: 2" in row
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["4", "2", "50"]
    assert 'id="chart-posttest"' in text
