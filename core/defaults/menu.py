"""Core's own menu entries."""

from flask import url_for

from ..groups.instructions import unread_count as unread_instructions
from ..hookspecs import hookimpl
from ..i18n import Text
from ..menus import MenuItem
from ..models import Incident, IncidentState, Role, Submission, SubmissionState
from ..rewards import may_collect
from ..tasks.notifications import unread_count
from ..tenancy import current_tenancy


def get_station_of(user):
    return current_tenancy().station_of(user)


def _counted(zh, en, count):
    """A label with a count when there is something to see: 通知 (2)."""
    return Text(f"{zh} ({count})", f"{en} ({count})") if count else Text(zh, en)


def pending_count(station):
    """Submissions of the station waiting for review (one query)."""
    return (
        Submission.select().where(Submission.station == station.id, Submission.state == SubmissionState.PENDING).count()
    )


def live_incident_count(station):
    """Incidents of the station still being dealt with (one indexed count)."""
    return Incident.select().where(Incident.station == station.id, Incident.state.in_(IncidentState.LIVE)).count()


@hookimpl
def menu_items(station, user):
    items = [
        MenuItem(Text("首页", "Home"), url_for("station.home"), order=10),
        MenuItem(Text("积分兑换", "Rewards"), url_for("rewards.catalogue"), order=30),
        MenuItem(Text("排行榜", "Leaderboard"), url_for("points.leaderboard"), order=35),
    ]
    if user is None:
        items.append(MenuItem(Text("注册", "Register"), url_for("account.register"), order=80))
        items.append(MenuItem(Text("登录", "Sign in"), url_for("account.login"), order=90))
        return items
    here = user.station_id == station.id
    if here and user.role == Role.VOLUNTEER:
        items.append(MenuItem(Text("任务", "Tasks"), url_for("tasks.listing"), order=20))
        items.append(MenuItem(Text("我的积分", "My points"), url_for("points.my_points"), order=40))
        items.append(MenuItem(Text("我的提交", "My submissions"), url_for("tasks.my_submissions"), order=41))
        items.append(
            MenuItem(_counted("通知", "Notifications", unread_count(user)), url_for("tasks.my_notifications"), order=42)
        )
        items.append(MenuItem(Text("服务时长", "My hours"), url_for("tasks.my_hours"), order=43))
        items.append(MenuItem(Text("我的兑换", "My redemptions"), url_for("rewards.my_redemptions"), order=45))
    if here:
        # the live-instructions script (base.html) keeps this label's count current
        items.append(
            MenuItem(
                _counted("指令", "Instructions", unread_instructions(user)), url_for("groups.my_instructions"), order=25
            )
        )
        # officers see how many reports wait for them; volunteers just the board
        incidents = (
            _counted("警情", "Incidents", live_incident_count(station)) if user.is_staff else Text("警情", "Incidents")
        )
        items.append(MenuItem(incidents, url_for("incidents.board_page"), order=26))
        if user.active and user.role in Role.STATION_ROLES:
            items.append(MenuItem(Text("报告", "Report"), url_for("incidents.report"), order=27))
    if may_collect(station, user):
        items.append(MenuItem(Text("兑换核销", "Hand out rewards"), url_for("rewards.collect"), order=60))
    if here and user.is_staff:
        items.append(MenuItem(Text("发布任务", "Post tasks"), url_for("task_review.tasks"), order=64))
        items.append(
            MenuItem(_counted("审核", "Review", pending_count(station)), url_for("task_review.queue"), order=65)
        )
        items.append(MenuItem(Text("工作群", "Work groups"), url_for("groups.groups_tree"), order=66))
        items.append(MenuItem(Text("我的联络", "My volunteers"), url_for("groups.my_volunteers"), order=67))
        items.append(MenuItem(Text("管理", "Manage"), url_for("points.manage"), order=70))
    # a visitor signed in at another station finds their own profile there
    home = station if here else get_station_of(user)
    if home is not None:
        items.append(MenuItem(Text("我的", "My profile"), url_for("account.profile", station=home.slug), order=80))
    return items
