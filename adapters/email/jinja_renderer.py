"""Renders emails from Jinja2 templates: a subject, a plain-text body and an escaped HTML body."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from application.ports.email import EmailContent, RenderedEmail

TEMPLATES = Path(__file__).with_name("templates")


def long_date(day: date) -> str:
    """A visit date written out: "Saturday, December 5, 2026"."""
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


class JinjaEmailRenderer:
    """Templates named after the email kind: `<kind>.subject.txt`, `<kind>.txt`, `<kind>.html`.

    Autoescaping is on for HTML, so anything a customer typed stays text.
    """

    def __init__(self, folder: Path = TEMPLATES) -> None:
        self._env = Environment(
            loader=FileSystemLoader(folder),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates ship with the code; checking mtimes costs every render
        )
        self._env.filters["long_date"] = long_date

    def render(self, content: EmailContent) -> RenderedEmail:
        name = content.kind.value
        values = {"c": content}
        subject = self._env.get_template(f"{name}.subject.txt").render(values)
        return RenderedEmail(
            subject=" ".join(subject.split()),
            text=self._env.get_template(f"{name}.txt").render(values),
            html=self._env.get_template(f"{name}.html").render(values),
        )
