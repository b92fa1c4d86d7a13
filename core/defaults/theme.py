"""The default theme: 春城红袖标 red."""

from pathlib import Path

from ..hookspecs import hookimpl
from ..i18n import Text
from ..themes import Theme

HERE = Path(__file__).parent


@hookimpl
def register_themes():
    return [
        Theme(
            name="default",
            label=Text("春城红袖标", "Spring City Red Armband"),
            colours={
                "primary": "#c8102e",
                "on_primary": "#ffffff",
                "accent": "#ffd400",
                "background": "#fdf6f4",
                "text": "#222222",
            },
            logo="logo.svg",
            static_folder=HERE / "theme_static",
        )
    ]
