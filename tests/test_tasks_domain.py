"""Tasks end to end through core's functions: post, sign up, submit, review."""

from datetime import timedelta

import pytest

from core.models import LedgerEntry, Notification, Submission, SubmissionState, User
from core.tasks import TaskError
from core.tasks.review import decide, preview
from core.tasks.signups import sign_up, withdraw

from .points_helpers import station
from .tasks_helpers import do_work, make_task, officer, volunteer


def test_a_school_gate_duty_is_signed_up_for_submitted_and_approved(app):
    with app.app_context():
        huguo = station(app)
        boss = officer(app)
        task = make_task(app, by=boss, hours=1)
        vol = volunteer(app)
        submission = do_work(app, "huguo", vol, task, fields={"children_helped": 40})
        assert submission.state == SubmissionState.PENDING
        assert [p.position for p in submission.photos] == [1, 2]

        seen = preview(huguo, boss, submission.id)
        assert seen.points == 2 and seen.minutes == 60
        decided, review = decide(huguo, boss, submission.id, "approve")

        assert decided.state == SubmissionState.APPROVED and decided.minutes == 60
        assert User.get_by_id(vol.id).points_balance == 2
        entry = LedgerEntry.get_by_id(decided.entry_id)
        assert entry.breakdown == [line.as_dict() for line in seen.lines]
        note = Notification.get(Notification.user == vol.id)
        assert note.kind == "submission_approved" and note.data["points"] == 2

        with pytest.raises(TaskError) as second:
            decide(huguo, boss, submission.id, "reject", reason="late")
        assert second.value.status == 409 and second.value.code == "already_decided"


def test_the_last_place_goes_once_and_withdrawing_frees_it(app):
    with app.app_context():
        huguo = station(app)
        task = make_task(app, capacity=1)
        first, second = volunteer(app), volunteer(app)
        sign_up(huguo, first, task.id)
        with pytest.raises(TaskError) as full:
            sign_up(huguo, second, task.id)
        assert full.value.code == "task_full"
        withdraw(huguo, first, task.id)
        sign_up(huguo, second, task.id)


def test_another_stations_task_is_not_found(app):
    with app.app_context():
        task = make_task(app, slug="xiaonanmen")
        with pytest.raises(TaskError) as missing:
            sign_up(station(app), volunteer(app), task.id)
        assert missing.value.status == 404


def test_a_returned_submission_is_resubmitted_and_then_approved(app):
    from core.tasks.submissions import load_submission, resubmit

    with app.app_context():
        huguo = station(app)
        boss = officer(app)
        task = make_task(app, by=boss, start_in=timedelta(minutes=30))
        vol = volunteer(app)
        submission = do_work(app, "huguo", vol, task)
        decide(huguo, boss, submission.id, "return", reason="照片看不清")
        again = resubmit(huguo, vol, submission.id, load_submission({"text": "补充说明"}), [], now=task.ends_at)
        assert again.state == SubmissionState.PENDING and again.revision == 2
        decided, _ = decide(huguo, boss, submission.id, "approve", hours=2, reason="延长执勤")
        assert decided.minutes == 120 and Submission.get_by_id(submission.id).minutes_reason == "延长执勤"
