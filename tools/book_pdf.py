"""Sphinx extension: the PDF edition of the book, and the website's link to it.

- **Macros**: the book's notation macros are defined once, for MathJax, in
  ``_config.yml`` (``mathjax3_config.tex.macros``). For the LaTeX builder the same
  definitions are turned into ``\\renewcommand``s in the preamble, so the PDF typesets
  ``\\eps``, ``\\He``, ... exactly as the website does.
- **Labels**: sphinx-proof sometimes writes a proposition's LaTeX label without its
  page (``\\label{None:prop-x}``) while references name the page
  (``book/insights:prop-x``): such labels are given the page their references use, so
  that the PDF's cross-references resolve.
- **The introduction**: the root page opens the PDF without a heading (its title
  is the book's); it gets an unnumbered chapter heading, a line in the table of
  contents and running heads. sphinx-jupyterbook-latex flattens the root page's
  sections into one, and would empty its exercises and solutions out of their boxes
  (they keep their content in a section of their own): those sections are left alone.
- **Proof boxes**: sphinx-proof opens a proof's box without a title, which prints an
  empty title bar; the box gets the title "Proof".
- **One bibliography**: the bibliography page's chapter heading is dropped, since
  LaTeX's bibliography opens its own chapter (otherwise an empty "Bibliography"
  chapter precedes the real one).
- **Print layout**: figures at most 0.7 of the text height (a caption still fits on
  the page), float placement that does not leave half-empty pages, blank pages
  without running heads.
- **The link**: when ``make pdf`` has built ``_build/latex/book.pdf``, the HTML build
  copies it into the site (``book.pdf`` at its root) and the introduction gets a line
  that links to it; without a PDF there is no link (and no broken one).

Enabled from ``_config.yml`` (``sphinx.local_extensions``).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

PDF_NAME = "book.pdf"
LINK_PAGE = "book/intro"


def latex_macros(macros: dict) -> str:
    r"""``\providecommand`` + ``\renewcommand`` lines for MathJax macro definitions.

    A value is ``"\\mathbb{E}"`` or ``["\\frac{#1}{#2}", 2]`` (body and argument count).
    """
    lines = []
    for name, value in macros.items():
        body, nargs = (value, 0) if isinstance(value, str) else (value[0], int(value[1]))
        args = f"[{nargs}]" if nargs else ""
        lines.append(rf"\providecommand{{\{name}}}{{}}\renewcommand{{\{name}}}{args}{{{body}}}")
    return "\n".join(lines)


def _pdf(app) -> Path:
    return Path(app.outdir).parent / "latex" / PDF_NAME


PRINT_LAYOUT = r"""
% print layout (tools/book_pdf.py)
\makeatletter
\AtBeginDocument{\spx@image@maxheight=0.7\textheight}
\def\cleardoublepage{\clearpage\if@twoside\ifodd\c@page\else
  \hbox{}\thispagestyle{empty}\newpage\fi\fi}
\makeatother
\renewcommand{\topfraction}{0.9}
\renewcommand{\bottomfraction}{0.8}
\renewcommand{\textfraction}{0.07}
\renewcommand{\floatpagefraction}{0.8}
"""
INTRO_HEADING = (r"\chapter*{Introduction}\addcontentsline{toc}{chapter}{Introduction}"
                 r"\markboth{Introduction}{Introduction}")


def add_macros(app, config):
    macros = (config.mathjax3_config or {}).get("tex", {}).get("macros", {})
    elements = dict(config.latex_elements or {})
    elements["preamble"] = (elements.get("preamble", "") + "\n% the book's macros "
                            "(_config.yml, mathjax3_config)\n" + latex_macros(macros)
                            + "\n" + PRINT_LAYOUT)
    config.latex_elements = elements


class KeepBoxedSections(SphinxPostTransform):
    """Keep the exercises of the root page in their boxes in the PDF.

    Runs just before sphinx-jupyterbook-latex's root-page transform (priority 700),
    which moves the content of every section of the root page that carries a
    ``header_level`` to its top level: a section inside an admonition (an exercise's
    or a solution's content) loses that mark, so it stays where it is.
    """

    default_priority = 690
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for section in self.document.findall(nodes.section):
            parent = section.parent
            while parent is not None and not isinstance(parent, nodes.Admonition):
                parent = parent.parent
            if parent is not None:
                section.attributes.pop("header_level", None)


def outdated_intro(app, env, added, changed, removed):
    """Render the introduction again when a PDF appeared or went since its last build."""
    if app.builder.name != "html":
        return []
    has_pdf = _pdf(app).is_file()
    if getattr(env, "book_pdf_linked", None) != has_pdf:
        env.book_pdf_linked = has_pdf
        return [LINK_PAGE] if LINK_PAGE in env.found_docs else []
    return []


def link_pdf(app, pagename, templatename, context, doctree):
    if app.builder.name != "html" or pagename != LINK_PAGE or not _pdf(app).is_file():
        return
    body = context.get("body", "")
    link = (f'<p class="book-pdf-link">The whole book is also a PDF, to read offline, '
            f'annotate and print: <a href="../{PDF_NAME}">{PDF_NAME}</a>.</p>')
    context["body"] = body.replace("</h1>", "</h1>\n" + link, 1)


def copy_pdf(app, exception):
    if exception is None and app.builder.name == "html" and _pdf(app).is_file():
        shutil.copy2(_pdf(app), Path(app.outdir) / PDF_NAME)


def fix_latex(app, exception):
    """Give ``\\label{None:X}`` the page that the references to ``X`` name; a heading
    for the introduction; no empty chapter before the bibliography."""
    if exception is not None or app.builder.name != "latex":
        return
    root = app.config.root_doc
    for tex in Path(app.outdir).glob("*.tex"):
        text = tex.read_text(encoding="utf-8")
        start = f"\\phantomsection\\label{{\\detokenize{{{root}::doc}}}}"
        if start in text and INTRO_HEADING not in text:
            text = text.replace(start, INTRO_HEADING + "\n" + start, 1)
        # sphinx-proof opens a proof box without a title (its first line becomes an
        # empty title bar): give the box the title "Proof" instead
        text = re.sub(r"\\begin\{sphinxadmonition\}\{note\}\n\\sphinxAtStartPar\nProof\. ",
                      r"\\begin{sphinxadmonition}{note}{Proof}\n\\sphinxAtStartPar\n", text)
        text = re.sub(r"\\chapter\{[^}]*\}\n(\\label\{\\detokenize\{[^}]*:bibliography\}\}"
                      r"[^\n]*\n)(?=\\begin\{sphinxthebibliography\})", r"\1", text)
        missing = set(re.findall(r"\\label\{None:([^}]+)\}", text))
        for name in missing:
            pages = set(re.findall(r"\\detokenize\{([^}:]+):" + re.escape(name) + r"\}", text))
            if len(pages) == 1:
                text = text.replace(f"\\label{{None:{name}}}", f"\\label{{{pages.pop()}:{name}}}")
        tex.write_text(text, encoding="utf-8")


def setup(app):
    app.connect("build-finished", fix_latex)
    app.add_post_transform(KeepBoxedSections)
    app.connect("config-inited", add_macros)
    app.connect("env-get-outdated", outdated_intro)
    app.connect("html-page-context", link_pdf)
    app.connect("build-finished", copy_pdf)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
