"""Task hooks: a plugin's check of submissions, the event after a review, a
plugin's scoring rule for approved work and a plugin's own task type with
extra fields and a qualification — each at the station that enables the
plugin (``enabling``) and not at the one that does not (``other``)."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from marshmallow import Schema, fields, validate

from core import Qualification, ScoringRule, TaskType, Text, hookimpl
from core.models import LedgerEntry, Review, Submission, SubmissionPhoto, SubmissionState, User
from core.tasks import TaskError
from core.tasks.qualifications import grant, revoke
from core.tasks.review import decide
from core.tasks.signups import sign_up
from core.tasks.submissions import load_submission, submit
from tests.hooks.conftest import platform
from tests.tasks_helpers import make_task, officer, photo_bytes, volunteer

BANNED_WORD = "小广告"


def _station(app, slug):
    return platform(app).tenancy.get(slug)


def _uploaded_files(app):
    root = Path(app.instance_path) / "uploads"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def _patrol(app, slug, vol, text="巡查护国路，一切正常", photos=1):
    """Self-started patrol work (core's ``patrol`` type: one photo or more)."""
    data = load_submission({"type": "patrol", "text": text})
    return submit(_station(app, slug), vol, data, [photo_bytes() for _ in range(photos)])


def _nothing_stored(app):
    assert Submission.select().count() == 0
    assert SubmissionPhoto.select().count() == 0
    assert LedgerEntry.select().count() == 0
    assert _uploaded_files(app) == []


# ---------------------------------------------------------------------------
# validate_submission
# ---------------------------------------------------------------------------


class NoPostersInText:
    """Refuses work whose text mentions posters; records every call."""

    def __init__(self):
        self.calls = []
        self.fields = []
        self.photo_counts = []

    @hookimpl
    def validate_submission(self, station, volunteer, task_type, task, data):
        self.calls.append((station.slug, volunteer.id, task_type.key, task, data["text"]))
        self.fields.append(data["fields"])
        self.photo_counts.append(data["photo_count"])
        if BANNED_WORD in data["text"]:
            return {"text": [f"describe the work, not the {BANNED_WORD}"]}
        return None


class TestValidateSubmission:
    @pytest.fixture
    def probe(self):
        return NoPostersInText()

    def test_hook_validate_submission(self, app, probe):
        with app.app_context():
            vol = volunteer(app, "enabling")
            with pytest.raises(TaskError) as refused:
                _patrol(app, "enabling", vol, text=f"清理了 3 张{BANNED_WORD}")
            assert refused.value.status == 400 and refused.value.code == "invalid_input"
            assert refused.value.fields == {"text": [f"describe the work, not the {BANNED_WORD}"]}
            assert probe.calls == [("enabling", vol.id, "patrol", None, f"清理了 3 张{BANNED_WORD}")]
            _nothing_stored(app)

            accepted = _patrol(app, "enabling", vol, text="巡查护国路，一切正常")
            assert accepted.state == SubmissionState.PENDING
            assert len(probe.calls) == 2

    def test_hook_validate_submission_is_told_how_many_photos_came(self, app, probe):
        # e.g. a checklist whose failed item needs a photo as evidence
        with app.app_context():
            vol = volunteer(app, "enabling")
            _patrol(app, "enabling", vol, photos=3)
            _patrol(app, "enabling", vol, photos=1)
        assert probe.photo_counts == [3, 1]

    def test_hook_validate_submission_reports_with_cores_own_problems(self, app, probe):
        with app.app_context():
            with pytest.raises(TaskError) as refused:
                _patrol(app, "enabling", volunteer(app, "enabling"), text=BANNED_WORD, photos=0)
            assert sorted(refused.value.fields) == ["photos", "text"]
            _nothing_stored(app)

    def test_hook_validate_submission_sees_the_task_and_the_loaded_extra_fields(self, app, probe):
        with app.app_context():
            enabling = _station(app, "enabling")
            task = make_task(app, "enabling", type_key="business_info")
            vol = volunteer(app, "enabling")
            sign_up(enabling, vol, task.id, now=task.starts_at - timedelta(minutes=5))
            data = load_submission(
                {
                    "task_id": task.id,
                    "text": "走访商户",
                    "fields": {"business_name": "老街米线", "address": "护国路 2 号"},
                }
            )
            submit(enabling, vol, data, [photo_bytes()], now=task.starts_at + timedelta(minutes=10))
            [(_slug, _vol, type_key, seen_task, _text)] = probe.calls
            assert type_key == "business_info" and seen_task.id == task.id
            # the type's schema has run: its default for the phone is there
            assert probe.fields == [{"business_name": "老街米线", "address": "护国路 2 号", "contact_phone": ""}]

    def test_hook_validate_submission_checks_a_resubmission_too(self, app, probe):
        from core.tasks.submissions import resubmit

        with app.app_context():
            enabling = _station(app, "enabling")
            vol = volunteer(app, "enabling")
            submission = _patrol(app, "enabling", vol)
            decide(enabling, officer(app, "enabling"), submission.id, "return", reason="写清楚做了什么")
            files_before = _uploaded_files(app)
            with pytest.raises(TaskError) as refused:
                resubmit(enabling, vol, submission.id, load_submission({"text": BANNED_WORD}), [photo_bytes()])
            assert list(refused.value.fields) == ["text"]
            stored = Submission.get_by_id(submission.id)
            assert (stored.state, stored.revision, stored.text) == (SubmissionState.RETURNED, 1, "巡查护国路，一切正常")
            assert _uploaded_files(app) == files_before  # the new photo was not kept

    def test_hook_validate_submission_not_consulted_where_not_enabled(self, app, probe):
        with app.app_context():
            submission = _patrol(app, "other", volunteer(app, "other"), text=f"清理了 3 张{BANNED_WORD}")
            assert submission.state == SubmissionState.PENDING
            assert probe.calls == []
            assert len(_uploaded_files(app)) == 2  # the photo and its thumbnail


# ---------------------------------------------------------------------------
# on_submission_reviewed
# ---------------------------------------------------------------------------


class ReviewRecorder:
    """Records each review event with what another connection sees of the
    submission at that moment (so only committed state counts); raises after
    recording when ``fail`` is set."""

    def __init__(self, database_url):
        self.database_url = database_url
        self.calls = []
        self.fail = False

    def _seen_from_outside(self, submission_id):
        from core.db import make_database

        outside = make_database(self.database_url)  # a connection of its own
        try:
            state = outside.execute_sql(
                f"SELECT state FROM submission WHERE id = {outside.param}", (submission_id,)
            ).fetchone()[0]
            entries = outside.execute_sql("SELECT COUNT(*) FROM ledgerentry").fetchone()[0]
        finally:
            outside.close()
            getattr(outside, "close_all", lambda: None)()  # PostgreSQL: the pool's connections
        return state, entries

    @hookimpl
    def on_submission_reviewed(self, station, submission, review):
        self.calls.append(
            (
                station.slug,
                submission.id,
                submission.state,
                review.decision,
                review.officer_id,
                self._seen_from_outside(submission.id),
            )
        )
        if self.fail:
            raise RuntimeError("the SMS gateway is down")


class TestOnSubmissionReviewed:
    @pytest.fixture
    def probe(self, database_url):
        return ReviewRecorder(database_url)

    def test_hook_on_submission_reviewed(self, app, probe):
        with app.app_context():
            enabling = _station(app, "enabling")
            boss, vol = officer(app, "enabling"), volunteer(app, "enabling")
            first, second, third = (_patrol(app, "enabling", vol) for _ in range(3))
            decide(enabling, boss, first.id, "approve")
            decide(enabling, boss, second.id, "return", reason="照片看不清")
            decide(enabling, boss, third.id, "reject", reason="不是巡查")
        assert probe.calls == [
            ("enabling", first.id, "approved", "approved", boss.id, ("approved", 1)),
            ("enabling", second.id, "returned", "returned", boss.id, ("returned", 1)),
            ("enabling", third.id, "rejected", "rejected", boss.id, ("rejected", 1)),
        ]

    def test_hook_on_submission_reviewed_failure_is_logged_and_the_decision_stands(self, app, probe, caplog):
        probe.fail = True
        with app.app_context(), caplog.at_level(logging.ERROR, logger="core.plugins"):
            enabling = _station(app, "enabling")
            boss, vol = officer(app, "enabling"), volunteer(app, "enabling")
            submission = _patrol(app, "enabling", vol)
            decided, review = decide(enabling, boss, submission.id, "approve")
            assert decided.state == SubmissionState.APPROVED and review.decision == "approved"
            assert Submission.get_by_id(submission.id).state == SubmissionState.APPROVED
            assert Review.select().where(Review.submission == submission.id).count() == 1
            [entry] = LedgerEntry.select()
            assert entry.amount == 5 and User.get_by_id(vol.id).points_balance == 5
        assert len(probe.calls) == 1
        failures = [r for r in caplog.records if "on_submission_reviewed" in r.getMessage()]
        assert len(failures) == 1 and "probe" in failures[0].getMessage()
        assert "the SMS gateway is down" in (failures[0].exc_text or str(failures[0].exc_info))

    def test_hook_on_submission_reviewed_not_for_refused_decisions_nor_other_stations(self, app, probe):
        with app.app_context():
            enabling, other = _station(app, "enabling"), _station(app, "other")
            boss, vol = officer(app, "enabling"), volunteer(app, "enabling")
            submission = _patrol(app, "enabling", vol)
            decide(enabling, boss, submission.id, "approve")
            with pytest.raises(TaskError):
                decide(enabling, boss, submission.id, "reject", reason="second thoughts")
            elsewhere = _patrol(app, "other", volunteer(app, "other"))
            decide(other, officer(app, "other"), elsewhere.id, "approve")
        assert [call[1] for call in probe.calls] == [submission.id]


# ---------------------------------------------------------------------------
# register_scoring_rules for the "task" event
# ---------------------------------------------------------------------------


class LongShiftBonus:
    """Two extra points for work of two hours or more; records the details."""

    def __init__(self):
        self.details = []

    @hookimpl
    def register_scoring_rules(self):
        return [ScoringRule("probe.long_shift", Text("长班奖励", "Long-shift bonus"), ("task",), self._score)]

    def _score(self, event, subtotal):
        self.details.append(dict(event.details))
        return 2 if event.details["minutes"] >= 120 else 0


class TestTaskScoringRule:
    @pytest.fixture
    def probe(self):
        return LongShiftBonus()

    def _approved(self, app, slug, hours):
        from tests.tasks_helpers import do_work

        st = _station(app, slug)
        boss = officer(app, slug)
        task = make_task(app, slug, by=boss, type_key="patrol", hours=hours)
        vol = volunteer(app, slug)
        submission = do_work(app, slug, vol, task, photos=1)
        decided, _ = decide(st, boss, submission.id, "approve")
        return task, vol, LedgerEntry.get_by_id(decided.entry_id)

    def test_a_plugin_rule_adds_a_line_to_the_approval(self, app, probe):
        with app.app_context():
            task, vol, entry = self._approved(app, "enabling", hours=2)
            assert [(line["rule"], line["points"]) for line in entry.breakdown] == [
                ("core.task", 5),
                ("probe.long_shift", 2),
            ]
            assert entry.breakdown[1]["label"] == {"zh": "长班奖励", "en": "Long-shift bonus"}
            assert entry.amount == 7 and User.get_by_id(vol.id).points_balance == 7
        details = probe.details[-1]
        assert set(details) == {"task_type", "task", "submission", "minutes", "starts_at", "ends_at"}
        assert details["task_type"].key == "patrol" and details["task"].id == task.id
        assert details["minutes"] == 120
        assert details["starts_at"].utcoffset() == timedelta(hours=8)  # station-local, Asia/Shanghai
        assert details["ends_at"] - details["starts_at"] == timedelta(hours=2)

    def test_a_rule_giving_nothing_adds_no_line(self, app, probe):
        with app.app_context():
            _task, _vol, entry = self._approved(app, "enabling", hours=1)
            assert [(line["rule"], line["points"]) for line in entry.breakdown] == [("core.task", 5)]

    def test_the_plugin_rule_does_not_score_at_other_stations(self, app, probe):
        with app.app_context():
            _task, vol, entry = self._approved(app, "other", hours=2)
            assert [line["rule"] for line in entry.breakdown] == ["core.task"]
            assert User.get_by_id(vol.id).points_balance == 5


# ---------------------------------------------------------------------------
# register_task_types with extra fields and a qualification
# ---------------------------------------------------------------------------


class ShieldFields(Schema):
    partner = fields.String(required=True, validate=validate.Length(min=1, max=50))
    shields = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10))


SHIELD_DRILL = Qualification("probe_shield_drill", Text("一棍一盾", "Baton-and-shield drill"))


class ShieldDuty:
    @hookimpl
    def register_task_types(self):
        return [
            TaskType(
                "probe_shield_duty",
                Text("一棍一盾执勤", "Baton-and-shield duty"),
                Text("持盾棍在校门口执勤。", "Stand guard with baton and shield."),
                default_points=6,
                fields_schema=ShieldFields,
                min_photos=0,
                max_photos=1,
                qualification=SHIELD_DRILL,
                self_start=False,
            )
        ]


class TestPluginTaskType:
    @pytest.fixture
    def probe(self):
        return ShieldDuty()

    def test_fields_and_qualification_of_a_plugin_task_type(self, app):
        with app.app_context():
            enabling = _station(app, "enabling")
            assert enabling.task_type("probe_shield_duty") is not None
            boss = officer(app, "enabling")
            task = make_task(app, "enabling", by=boss, type_key="probe_shield_duty", hours=1)
            vol = volunteer(app, "enabling")
            before = task.starts_at - timedelta(minutes=5)

            with pytest.raises(TaskError) as unqualified:
                sign_up(enabling, vol, task.id, now=before)
            assert (unqualified.value.status, unqualified.value.code) == (403, "qualification_required")
            assert "一棍一盾" in unqualified.value.message

            with pytest.raises(TaskError) as self_started:
                submit(enabling, vol, load_submission({"type": "probe_shield_duty", "text": "执勤"}), [])
            assert self_started.value.status == 400 and list(self_started.value.fields) == ["type"]

            grant(enabling, boss, vol.id, "probe_shield_drill")
            sign_up(enabling, vol, task.id, now=before)
            during = task.starts_at + timedelta(minutes=10)
            with pytest.raises(TaskError) as missing:
                submit(
                    enabling,
                    vol,
                    load_submission({"task_id": task.id, "text": "执勤"}),
                    [photo_bytes()] * 2,
                    now=during,
                )
            assert missing.value.status == 400
            assert sorted(missing.value.fields) == ["fields.partner", "photos"]
            assert Submission.select().count() == 0 and _uploaded_files(app) == []

            data = load_submission({"task_id": task.id, "text": "执勤", "fields": {"partner": "张三"}})
            submission = submit(enabling, vol, data, [], now=during)
            assert submission.fields == {"partner": "张三", "shields": 1}
            decided, _ = decide(enabling, boss, submission.id, "approve")
            assert LedgerEntry.get_by_id(decided.entry_id).amount == 6

    def test_a_revoked_qualification_stops_the_submission(self, app):
        with app.app_context():
            enabling = _station(app, "enabling")
            boss = officer(app, "enabling")
            task = make_task(app, "enabling", by=boss, type_key="probe_shield_duty", hours=1)
            vol = volunteer(app, "enabling")
            grant(enabling, boss, vol.id, "probe_shield_drill")
            sign_up(enabling, vol, task.id, now=task.starts_at - timedelta(minutes=5))
            revoke(enabling, boss, vol.id, "probe_shield_drill")
            data = load_submission({"task_id": task.id, "text": "执勤", "fields": {"partner": "张三"}})
            with pytest.raises(TaskError) as refused:
                submit(enabling, vol, data, [], now=task.starts_at + timedelta(minutes=10))
            assert (refused.value.status, refused.value.code) == (403, "qualification_required")
            assert Submission.select().count() == 0

    def test_the_plugin_task_type_is_not_offered_where_not_enabled(self, app):
        with app.app_context():
            other = _station(app, "other")
            assert other.task_type("probe_shield_duty") is None
            boss = officer(app, "other")
            with pytest.raises(TaskError) as posting:
                make_task(app, "other", by=boss, type_key="probe_shield_duty")
            assert posting.value.status == 400 and list(posting.value.fields) == ["type"]
            with pytest.raises(TaskError) as granting:
                grant(other, boss, volunteer(app, "other").id, "probe_shield_drill")
            assert granting.value.status == 400 and list(granting.value.fields) == ["qualification"]


def test_hook_on_submission_reviewed_cannot_be_a_wrapper(make_app, redarmband_plugins):
    # Like every event: it is fired one implementation at a time after the
    # commit, so a wrapper would silently never run its code.
    class Wrapper:
        @hookimpl(wrapper=True)
        def on_submission_reviewed(self, station, submission, review):
            return (yield)

    app = make_app(EXTRA_PLUGINS=[*redarmband_plugins, ("wrapper", Wrapper())])
    pm = app.extensions["redarmband"].pm
    assert pm.get_plugin("wrapper") is None  # left out, so it never silently skips its code
    assert [broken.error for broken in pm.broken] == ["event hook on_submission_reviewed cannot be a wrapper"]
