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
        # a dark theme: cards, figures and links need their own colours
        "surface": "#2b2830",
        "highlight": "#ff8c1a",
        "link": "#ffb366",
    },
    logo="logo.svg",
    template_folder=HERE / "templates",
    static_folder=HERE / "static",
)
