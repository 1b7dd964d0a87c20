"""The report's languages: gettext catalogs read with Babel.

The catalogs are ``xlcost/locale/<lang>/LC_MESSAGES/xlcost.po``, shipped as package data and read at
run time (compiled in memory, so there is no binary file to fall out of step with its source). English
is the message ids themselves. The message ids come from the templates (``{{ _("…") }}`` and
``{% trans %}``) and from Python (``_("…")`` and ``N_("…")``); ``tests/test_report_i18n.py`` extracts
them with Babel and fails on any that a catalog does not translate.

To add or change report text: edit the English, then run ``python scripts/i18n.py`` (extract, merge
into every catalog) and translate the new entries in the ``.po`` files.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..labels import Labels
from .formatting import Formatter

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
DOMAIN = "xlcost"
# The HTML lang attribute (PDF /Lang) of each language.
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def locale_dir() -> Path:
    """The folder holding ``<lang>/LC_MESSAGES/xlcost.po`` (inside the installed package)."""
    return Path(str(resources.files("xlcost").joinpath("locale")))


def catalog_path(lang: str) -> Path:
    return locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def normalize(lang: str | None) -> str:
    """A supported language code, or ValueError naming the supported ones."""
    code = (lang or DEFAULT_LANGUAGE).strip().lower().replace("_", "-")
    if code in ("zh-cn", "zh-hans", "zh-hans-cn"):
        code = "zh"
    if code not in LANGUAGES:
        raise ValueError(f"report language {lang!r} is not supported; expected one of {', '.join(LANGUAGES)}")
    return code


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> _gettext.NullTranslations:
    """The gettext translations of one language (English: the message ids themselves)."""
    lang = normalize(lang)
    if lang == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang.replace("zh", "zh_Hans_CN"), domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


@dataclass(frozen=True)
class Lang:
    """One report language: its gettext functions, number formatter and labels."""

    code: str
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    F: Formatter
    L: Labels

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.code]

    @property
    def gap(self) -> str:
        """What separates two sentences: a space in English, nothing after a Chinese full stop."""
        return "" if self.code == "zh" else " "


def lang(code: str | None = None) -> Lang:
    """Everything the report needs to write in language ``code`` (default English)."""
    code = normalize(code)
    tr = translations(code)
    formatter = Formatter(code, tr.gettext)
    return Lang(code, tr.gettext, tr.ngettext, formatter, formatter.labels)
