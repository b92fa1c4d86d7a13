"""Work groups for district and city admins (their accounts belong to no
station), under ``/groups/``: their part of the tree with member counts,
posting instructions and their status with reminders, and mobilisation
(战时全线飘红) with a live tally by station and by team, who has not answered,
and ending it.

The domain's own rules (:mod:`core.groups`) decide what each admin sees: a
group outside their part is not found (404). Times typed in are read in the
zone of the group's first station (the city's, Asia/Shanghai, where it has
none); times shown are in that zone too.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError

from ..groups import GroupError, instructions, mobilisation, tree
from ..models import Group, GroupKind, Instruction, Mobilisation, Priority, Role, User
from ..tenancy import current_tenancy
from ..validation import MAX_YEAR, MIN_YEAR
from .auth import signed_in_and
from .group_pages.common import INSTRUCTION_PROBLEMS, PRIORITY_LABELS, refusal
from .row_ids import ROW_ID

bp = Blueprint("admin_groups", __name__, url_prefix="/groups")

CITY_ZONE = ZoneInfo("Asia/Shanghai")
WAITING_SHOWN = 200  # who has not acknowledged / answered, listed at most
LISTED = 20  # recent instructions and mobilisations on the front page
POLL_SECONDS = 5  # how often the mobilisation page refreshes its tally

KIND_LABELS = {
    GroupKind.CITY: _l("City"),
    GroupKind.DISTRICT: _l("District"),
    GroupKind.STATION: _l("Station"),
    GroupKind.TEAM: _l("Team"),
}

MOBILISATION_PROBLEMS = {
    "text": _l("Enter what the mobilisation is for (up to 1000 characters)."),
    "deadline": _l("Deadline: enter a time within the next 72 hours."),
}

# Signed in as a district or city admin; anyone else: 403.
admin_required = signed_in_and(lambda user: user.role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN), 403)


@bp.before_request
def _admins_only():
    # the decorator's refusal, with a message a station account understands
    if current_user.is_authenticated and current_user.role not in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN):
        _refuse(403, _("These pages are for district and city admins. Use your station's pages."))


def _refuse(status, message):
    """Stop with ``status`` and a message that says why (JSON for the poll)."""
    if request.path.endswith(".json"):
        body = jsonify({"error": {"code": status, "message": message}})
    else:
        body = render_template("groups/admin_refused.html", code=status, message=message)
    abort(make_response(body, status))


def _me():
    return current_user._get_current_object()


def _tenancy():
    return current_tenancy()


def _visible_group(group_id):
    """A group the admin sees, else 404 with a clear message."""
    group = Group.get_or_none(Group.id == group_id)
    if group is None or not tree.may_see(_me(), group, _tenancy()):
        _refuse(404, _("No such group in your part of the tree."))
    return group


def _zone_of(group):
    """The zone of the group's first station, else the city's."""
    stations = {station.id: station for station in _tenancy().stations.values()}
    for station_id in tree.station_ids_below(group, _tenancy()):
        if station_id in stations:
            return stations[station_id].config.tz
    return CITY_ZONE


def _zoned(raw, zone):
    """A ``datetime-local`` value read in ``zone``, as ISO with its offset;
    what does not parse is passed on as typed, for the schema to refuse."""
    raw = (raw or "").strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if not MIN_YEAR <= moment.year <= MAX_YEAR or moment.tzinfo is not None:
        return raw
    return moment.replace(tzinfo=zone).isoformat()


def _shown_in(zone):
    def shown(stored_utc):
        if stored_utc is None:
            return ""
        return stored_utc.replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return shown


@bp.app_template_global()
def group_kind_label(kind):
    return KIND_LABELS.get(kind, kind)


# ---------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------


@bp.route("/")
@admin_required
def index():
    me = _me()
    groups = tree.subtree(me, _tenancy())
    visible = [group.id for group, _depth in groups]
    names = {group.id: group.name for group, _depth in groups}
    sent = list(Instruction.select().where(Instruction.author == me.id).order_by(Instruction.id.desc()).limit(LISTED))
    called = (
        list(
            Mobilisation.select().where(Mobilisation.group.in_(visible)).order_by(Mobilisation.id.desc()).limit(LISTED)
        )
        if visible
        else []
    )
    return render_template(
        "groups/admin_tree.html",
        groups=groups,
        counts=tree.member_counts([group for group, _depth in groups], _tenancy()),
        sent=sent,
        called=called,
        names=names,
        shown=_shown_in(CITY_ZONE),
        district=tree.district_of(me),
    )


# ---------------------------------------------------------------------------
# Instructions
# ---------------------------------------------------------------------------


def _instruction_form(group, form, problems=None, problem=None, status=200):
    return render_template(
        "groups/admin_instruct.html",
        group=group,
        form=form,
        problems=problems or {},
        problem=problem,
        priorities=PRIORITY_LABELS,
    ), status


@bp.route(f"/<{ROW_ID}:group_id>/instructions/new", methods=["GET", "POST"])
@admin_required
def post_instruction(group_id):
    group = _visible_group(group_id)
    if request.method == "GET":
        return _instruction_form(group, {"priority": Priority.NORMAL})
    form = {key: request.form.get(key, "").strip() for key in ("text", "place", "priority", "deadline")}
    data = {"text": form["text"], "place": form["place"], "priority": form["priority"] or Priority.NORMAL}
    if form["deadline"]:
        data["deadline"] = _zoned(form["deadline"], _zone_of(group))
    try:
        loaded = instructions.InstructionSchema().load(data)
    except ValidationError as error:
        problems = {name: str(INSTRUCTION_PROBLEMS.get(name, _("Check this field."))) for name in error.messages}
        return _instruction_form(group, form, problems, status=400)
    try:
        sent, reached = instructions.post(_tenancy(), _me(), group.id, loaded)
    except GroupError as error:
        if error.status == 404:
            _refuse(404, _("No such group in your part of the tree."))
        if error.status == 400:
            names = error.fields or {"text": ""}
            problems = {n: str(INSTRUCTION_PROBLEMS.get(n, _("Check this field."))) for n in names}
            return _instruction_form(group, form, problems, status=400)
        return _instruction_form(group, form, problem=refusal(error), status=error.status)
    flash(_("Instruction sent to %(count)s people.", count=reached))
    return redirect(url_for("admin_groups.instruction_status", instruction_id=sent.id))


@bp.route(f"/instructions/<{ROW_ID}:instruction_id>")
@admin_required
def instruction_status(instruction_id):
    try:
        instruction, _acknowledged, waiting = instructions.status_of(
            _tenancy(), _me(), instruction_id, limit=WAITING_SHOWN
        )
    except GroupError:
        _refuse(404, _("No such instruction in your part of the tree."))
    group = Group.get_by_id(instruction.group_id)
    acknowledged, total = instructions.tally(instruction.id)
    return render_template(
        "groups/admin_instruction.html",
        instruction=instruction,
        group=group,
        author=User.get_by_id(instruction.author_id),
        acknowledged=acknowledged,
        total=total,
        waiting=waiting,
        more_waiting=max(0, total - acknowledged - len(waiting)),
        shown=_shown_in(_zone_of(group)),
    )


@bp.route(f"/instructions/<{ROW_ID}:instruction_id>/remind", methods=["POST"])
@admin_required
def remind(instruction_id):
    try:
        count = instructions.remind(_tenancy(), _me(), instruction_id)
    except GroupError:
        _refuse(404, _("No such instruction in your part of the tree."))
    if count:
        flash(_("Reminded %(count)s people who have not acknowledged.", count=count))
    else:
        flash(_("Everyone has acknowledged: no one to remind."))
    return redirect(url_for("admin_groups.instruction_status", instruction_id=instruction_id))


# ---------------------------------------------------------------------------
# Mobilisation (战时全线飘红)
# ---------------------------------------------------------------------------


def _mobilise_form(group, form, problems=None, problem=None, status=200):
    return render_template(
        "groups/admin_mobilise.html",
        group=group,
        form=form,
        problems=problems or {},
        problem=problem,
        max_hours=mobilisation.MAX_HOURS,
    ), status


@bp.route(f"/<{ROW_ID}:group_id>/mobilisations/new", methods=["GET", "POST"])
@admin_required
def start_mobilisation(group_id):
    group = _visible_group(group_id)
    if request.method == "GET":
        return _mobilise_form(group, {})
    form = {key: request.form.get(key, "").strip() for key in ("text", "deadline")}
    data = {"text": form["text"], "deadline": _zoned(form["deadline"], _zone_of(group)) if form["deadline"] else None}
    try:
        loaded = mobilisation.MobilisationSchema().load(data)
    except ValidationError as error:
        problems = {name: str(MOBILISATION_PROBLEMS.get(name, _("Check this field."))) for name in error.messages}
        return _mobilise_form(group, form, problems, status=400)
    try:
        started = mobilisation.start(_tenancy(), _me(), group.id, loaded)
    except GroupError as error:
        if error.status == 404:
            _refuse(404, _("No such group in your part of the tree."))
        if error.status == 400:
            names = error.fields or {"deadline": ""}
            problems = {n: str(MOBILISATION_PROBLEMS.get(n, _("Check this field."))) for n in names}
            return _mobilise_form(group, form, problems, status=400)
        return _mobilise_form(
            group,
            form,
            problem=_("Only district and city admins mobilise, within their part of the tree."),
            status=error.status,
        )
    flash(_("Mobilisation started."))
    return redirect(url_for("admin_groups.show_mobilisation", mobilisation_id=started.id))


def _mobilisation_or_404(mobilisation_id):
    try:
        return mobilisation.get(_tenancy(), _me(), mobilisation_id)
    except GroupError:
        _refuse(404, _("No such mobilisation in your part of the tree."))


def _state(found):
    """What the page shows and the JSON poll returns: the live tally while
    open, the kept one after the end."""
    counts = found.result if found.ended_at is not None and found.result else mobilisation.tally(found)
    shown = _shown_in(_zone_of(Group.get_by_id(found.group_id)))
    open_ = found.ended_at is None
    waiting = mobilisation.waiting(found, limit=WAITING_SHOWN) if open_ else []
    stations = {station.id: station.slug for station in _tenancy().stations.values()}
    tally = mobilisation.named_tally(counts, current_tenancy())
    return {
        "id": found.id,
        "open": open_,
        "ended_at": shown(found.ended_at),
        "deadline": shown(found.deadline),
        "tally": tally,
        "waiting": [
            {"id": u.id, "name": u.name, "phone": u.phone, "station": stations.get(u.station_id)} for u in waiting
        ],
        "waiting_more": max(0, tally["total"]["waiting"] - len(waiting)) if open_ else 0,
    }


def _mobilisation_page(found, problem=None, status=200):
    group = Group.get_by_id(found.group_id)
    return render_template(
        "groups/admin_mobilisation.html",
        mobilisation=found,
        group=group,
        state=_state(found),
        starter=User.get_by_id(found.started_by_id),
        shown=_shown_in(_zone_of(group)),
        poll_ms=POLL_SECONDS * 1000,
        problem=problem,
    ), status


@bp.route(f"/mobilisations/<{ROW_ID}:mobilisation_id>")
@admin_required
def show_mobilisation(mobilisation_id):
    return _mobilisation_page(_mobilisation_or_404(mobilisation_id))


@bp.route(f"/mobilisations/<{ROW_ID}:mobilisation_id>.json")
@admin_required
def mobilisation_json(mobilisation_id):
    return jsonify(_state(_mobilisation_or_404(mobilisation_id)))


@bp.route(f"/mobilisations/<{ROW_ID}:mobilisation_id>/end", methods=["POST"])
@admin_required
def end_mobilisation(mobilisation_id):
    found = _mobilisation_or_404(mobilisation_id)
    try:
        mobilisation.end(_tenancy(), _me(), found.id)
    except GroupError as error:
        if error.status == 404:
            _refuse(404, _("No such mobilisation in your part of the tree."))
        if error.code == "mobilisation_over":
            return _mobilisation_page(
                _mobilisation_or_404(found.id), _("This mobilisation has ended already; its result is kept."), 409
            )
        return _mobilisation_page(found, _("Only district and city admins end a mobilisation."), error.status)
    flash(_("Mobilisation ended; the result is kept."))
    return redirect(url_for("admin_groups.show_mobilisation", mobilisation_id=found.id))
