""" "Cite this": a citation of any page (a case, report, agency or filtered view), in plain
text and BibTeX, with its permalink, when the data last changed, and the retrieval date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.text import slugify

_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")
_BIBTEX_REPLACEMENTS = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}


def bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_REPLACEMENTS.get(m[1], "\\" + m[1]), text)


@dataclass(frozen=True)
class Citation:
    site: str
    title: str
    url: str
    data_as_of: dt.datetime
    retrieved: dt.date

    @property
    def text(self) -> str:
        return (
            f"{self.site}. “{self.title}.” {self.url} "
            f"(data as of {self.data_as_of:%-d %B %Y}; retrieved {self.retrieved:%-d %B %Y})."
        )

    @property
    def key(self) -> str:
        return slugify(f"{self.site} {self.title}")[:60].strip("-") + f"-{self.retrieved:%Y%m%d}"

    @property
    def bibtex(self) -> str:
        fields = [
            ("author", "{" + bibtex_escape(self.site) + "}"),
            ("title", "{" + bibtex_escape(self.title) + "}"),
            ("year", str(self.data_as_of.year)),
            ("howpublished", "\\url{" + self.url.replace("%", "\\%").replace("#", "\\#") + "}"),
            ("urldate", self.retrieved.isoformat()),
            ("note", f"Data as of {self.data_as_of:%Y-%m-%d}"),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{{self.key},\n{body}\n}}"
