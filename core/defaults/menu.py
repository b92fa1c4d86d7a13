"""Core's own menu entries."""
from flask import url_for

from ..hookspecs import hookimpl
from ..i18n import Text
from ..menus import MenuItem


@hookimpl
def menu_items(user):
    items = [MenuItem(Text("首页", "Home"), url_for("station.home"), order=10)]
    if user is None:
        items.append(MenuItem(Text("注册", "Register"), url_for("account.register"), order=80))
        items.append(MenuItem(Text("登录", "Sign in"), url_for("account.login"), order=90))
    else:
        items.append(MenuItem(Text("我的", "My profile"), url_for("account.profile"), order=80))
    return items
