"""Sphinx extension: author-year labels in the bibliography, as in the text.

The text cites ``{cite}`key``` in sphinxcontrib-bibtex's ``author_year`` style
("[Imai et al., 2026]"); pybtex's own label styles would label the same entry
"[INI26]" in the list. This registers a label style that writes the list's labels the
way the text does, and a formatting style ``bookstyle`` (pybtex's ``unsrt`` sorted by
author, year and title) that uses it. Enabled from ``_config.yml``
(``sphinx.local_extensions`` and ``bibtex_default_style: bookstyle``).
"""
from __future__ import annotations

from collections import Counter

from pybtex.backends.plaintext import Backend as PlainText
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as Unsrt
from pybtex.style.labels import BaseLabelStyle


def _last_name(person) -> str:
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


def author_year(entry) -> str:
    """"Imai et al., 2026", "Marion and Berthier, 2023", "Fenichel, 1979"."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last_name(p) for p in people]
    if not names:
        who = Text.from_latex(entry.fields.get("title", "Anonymous")).render_as("text")
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    """Labels "Author et al., year", with a, b, ... where two entries would collide."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year(e) for e in entries]
        counts, seen = Counter(labels), Counter()
        for label in labels:
            if counts[label] > 1:
                seen[label] += 1
                label += "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            yield label


class BookStyle(Unsrt):
    default_label_style = "authoryear"
    default_sorting_style = "author_year_title"


def setup(app):
    register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "bookstyle", BookStyle)
    # pybtex looks a plugin up in the entry points of every installed package, at every
    # lookup; the plain-text backend is looked up each time a label or citation is
    # rendered as text (about 130 times a build, 1.5 s). Registered, it is found at once.
    for name in ("text", "plaintext"):
        register_plugin("pybtex.backends", name, PlainText, force=True)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
