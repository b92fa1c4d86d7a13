from pathlib import Path

from core import Text, Theme

HERE = Path(__file__).parent / "theme"

MAPLE = Theme(
    name="maple",
    label=Text("红枫", "Maple red"),
    colours={
        "primary": "#8b1a1a",
        "on_primary": "#fff4e6",
        "accent": "#ff8c1a",
        "background": "#1d1b22",
        "text": "#f4ece6",
    },
    logo="logo.svg",
    template_folder=HERE / "templates",
    static_folder=HERE / "static",
)
