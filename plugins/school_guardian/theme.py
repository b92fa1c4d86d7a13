from pathlib import Path

from core import Text, Theme

HERE = Path(__file__).parent / "theme"

HUXIAOXIA = Theme(
    name="huxiaoxia",
    label=Text("护小侠", "Little Guardians"),
    colours={
        "primary": "#1565c0",
        "on_primary": "#ffffff",
        "accent": "#ffc107",
        "background": "#f3f8ff",
        "text": "#1b2a3a",
    },
    logo="logo.svg",
    template_folder=HERE / "templates",
    static_folder=HERE / "static",
)
