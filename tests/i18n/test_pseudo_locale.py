"""Every page type rendered in a pseudo language, where each translated string is shown inside
⟦ ⟧: what is left outside the marks, once the site's own content (all in Greek here) and
addresses are taken out, must hold no English word. A string that escaped translation shows
up as Latin letters outside the marks, named with its page.

The pseudo catalog is built from the source itself (makemessages into a copy, as
test_catalogs does) plus Django's and django-allauth's own English catalogs, so it holds every
string the pages can ask for, whether or not `make messages` has been run."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import allauth
import django
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone, translation
from lxml import html as lxml_html

from tests.factories import (
    AuthorFactory,
    CategoryFactory,
    PostFactory,
    TagFactory,
    approved_comment,
)
from tests.i18n.test_catalogs import PACKAGE, entries, working_in

PSEUDO = "xx"
OPEN, CLOSE = "⟦", "⟧"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("xgettext") is None or shutil.which("msgfmt") is None,
        reason="GNU gettext is installed by `make` (gettext-deps)",
    ),
]

# Words that are the same in every language: names of formats, protocols and products, shown
# on their own (inside a sentence they are part of a translated string).
NAMES = {
    "RSS", "Atom", "JSON", "BibTeX", "RIS", "DOI", "ISBN", "ISSN", "URL", "OpenID", "Mastodon",
    "ActivityPub", "Webmention", "Markdown", "HTML", "CSV", "API", "WordPress", "Gravatar",
    "PNG", "JPEG", "WebP", "GIF", "MB", "KB", "GitHub", "Google", "Facebook", "ORCID", "APA",
    "MLA", "Chicago", "Broadsheet", "Deutsch", "English", "Español", "UTC", "WordPress.com",
    "PDF", "CSL", "CSL-JSON", "Twitter", "OIDC", "español", "Français", "français",
}  # fmt: skip
# Attributes whose words a reader sees or hears.
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "aria-description")
_ADDRESS = re.compile(r"(?:https?://|mailto:|/)\S*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\bwww\.\S+")
# A word in any script; only those with Latin letters can be English (the site is Greek).
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_LATIN = re.compile(r"[A-Za-z]")


def _marked(raw: str) -> str:
    """The pseudo translation of an escaped msgid: marked, its leading or trailing newline
    (which msgfmt requires the translation to keep) outside the marks."""
    head = "\\n" if raw.startswith("\\n") else ""
    tail = "\\n" if raw.endswith("\\n") and len(raw) > len(head) else ""
    return f"{head}{OPEN}{raw[len(head) : len(raw) - len(tail)]}{CLOSE}{tail}"


def _pseudo_po(sources: list[Path]) -> str:
    lines = [
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
        "",
    ]
    seen: set[tuple[str, str]] = set()
    for po in sources:
        for entry in entries(po):
            key = (entry.get("msgctxt", ""), entry["msgid"])
            if key in seen:
                continue
            seen.add(key)
            if "msgctxt" in entry:
                lines.append(f'msgctxt "{entry["msgctxt"]}"')
            lines.append(f'msgid "{entry["msgid"]}"')
            if "msgid_plural" in entry:
                lines.append(f'msgid_plural "{entry["msgid_plural"]}"')
                lines.append(f'msgstr[0] "{_marked(entry["msgid"])}"')
                lines.append(f'msgstr[1] "{_marked(entry["msgid_plural"])}"')
            else:
                lines.append(f'msgstr "{_marked(entry["msgid"])}"')
            lines.append("")
    return "\n".join(lines)


def _english_catalogs() -> list[Path]:
    """Django's own strings (month names, form errors, the admin) and django-allauth's."""
    roots = [Path(django.__file__).parent, Path(allauth.__file__).parent]
    return sorted(po for root in roots for po in root.glob("**/locale/en/LC_MESSAGES/django.po"))


@pytest.fixture(scope="session")
def pseudo_locale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LOCALE_PATHS folder holding the pseudo language's compiled catalog."""
    work = tmp_path_factory.mktemp("pseudo")
    copy = work / "broadsheet"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "locale"))
    (copy / "locale").mkdir()
    # makemessages writes into LOCALE_PATHS' first folder when it finds no other: never ours.
    with working_in(copy), override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=[PSEUDO], domain="django", verbosity=0)
    ours = copy / "locale" / PSEUDO / "LC_MESSAGES" / "django.po"
    folder = work / "locale" / PSEUDO / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "django.po"
    po.write_text(_pseudo_po([ours, *_english_catalogs()]), encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(folder / "django.mo"), str(po)], check=True)
    return work / "locale"


@pytest.fixture
def in_pseudo(settings: Any, pseudo_locale: Path) -> Iterator[None]:
    """The site speaks the pseudo language (LANGUAGE_CODE), as a German site speaks German."""
    settings.LOCALE_PATHS = [pseudo_locale, *django_settings.LOCALE_PATHS]
    settings.LANGUAGES = [(PSEUDO, "Pseudo"), *django_settings.LANGUAGES]
    settings.LANGUAGE_CODE = PSEUDO
    settings.PAGE_CACHE = False
    with translation.override(PSEUDO):
        yield


def unmarked(text: str) -> str:
    """What is left of `text` once every marked string (innermost first) is taken out."""
    inner = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
    while True:
        shorter = inner.sub(" ", text)
        if shorter == text:
            return shorter
        text = shorter


def escaped_english(page: str, *, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """The English words a reader would see on `page` that no translation marked."""
    tree = lxml_html.document_fromstring(page)
    # Not read as words: scripts and styles; machine text shown as it is (a citation's RIS or
    # BibTeX, code); what a person typed into a field; citations, whose few words ("accessed",
    # month names) are CSL's locale for the language (tests/publishing/test_cite_essay.py),
    # which a pseudo language has none of.
    for hidden in tree.xpath(
        "//script|//style|//template|//pre|//code|//kbd|//textarea"
        "|//ul[contains(@class, 'references__list')]"
        "|//*[starts-with(@id, 'cite-') and @id != 'cite-heading' and not(contains(@id, '-label'))]"
    ):
        hidden.drop_tree()
    pieces = [" ".join(tree.itertext())]
    for name in READ_ATTRIBUTES:
        pieces.extend(tree.xpath(f"//@{name}"))
    pieces.extend(tree.xpath("//input[@type='submit' or @type='button']/@value"))
    pieces.extend(tree.xpath("//title/text()"))
    found: list[str] = []
    for piece in pieces:
        left = _ADDRESS.sub(" ", unmarked(html.unescape(str(piece))))
        found.extend(
            word
            for word in _WORD.findall(left)
            if len(word) > 1 and _LATIN.search(word) and word not in NAMES and word not in allowed
        )
    return sorted(set(found))


# --- the site, written in Greek ----------------------------------------------------------

GREEK_BODY = (
    "Τα λιμάνια της ακτής είχαν βιβλία.[^1]\n\n## Τα βιβλία\n\n> Το φως δεν περιμένει.\n\n"
    "Κι άλλο κείμενο.\n\n[^1]: Το βιβλίο του φάρου, 1872.\n"
)


@dataclass
class Site:
    post: Any
    author: Any
    comment: Any
    category: Any
    tag: Any
    staff: Any
    reader: Any
    boss: Any


@pytest.fixture
def site(in_pseudo: None, db: None) -> Site:
    from broadsheet.core.models import SiteSettings

    general = SiteSettings.current()
    general.title, general.tagline = "Η Εφημερίδα", "Δοκίμια με πηγές"
    general.save()
    author = AuthorFactory(username="grafeas", profile__display_name="Ελένη Γραφέα",
                           profile__bio="Γράφει για λιμάνια.")  # fmt: skip
    category, tag = CategoryFactory(name="Ιστορία", slug="istoria"), TagFactory(name="λιμάνια")
    post = PostFactory(
        title="Το βιβλίο και ο φάρος", slug="vivlio", body=GREEK_BODY, authors=[author],
        categories=[category], tags=[tag], published_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    first = approved_comment(post, name="Σοφία", body="Ωραία σημείωση για τα βιβλία.")
    approved_comment(post, parent=first, name="Γιάννης", body="Συμφωνώ απόλυτα.")
    from tests.factories import role_member

    staff = role_member("Editor", "archisyntaktis")
    from tests.factories import verified_reader

    reader = verified_reader("anagnostis")
    from broadsheet.discussion.models import DiscussionSettings

    discussion = DiscussionSettings.current()
    discussion.public_moderation_log = True
    # The reasons for removing a comment are the site's own words, in its language.
    discussion.moderation_reasons = "Ανεπιθύμητο\nΕκτός θέματος\nΠροσβολή"
    discussion.save()
    from broadsheet.accounts.models import User

    boss = User.objects.create_superuser("kyrios", "kyrios@example.org", "a long pass phrase 42")
    from tests.notes.conftest import a_note

    a_note(post, reader, body="Το βιβλίο λέει 1862.")
    return Site(post, author, first, category, tag, staff, reader, boss)


# (name, address, who is signed in: None, "staff", "reader" or "boss")
PAGES: list[tuple[str, Callable[[Site], str], str | None]] = [
    ("home", lambda s: "/", None),
    ("essay", lambda s: s.post.get_absolute_url(), None),
    ("essay, replying", lambda s: f"{s.post.get_absolute_url()}?replytocom={s.comment.pk}", None),
    ("essay, signed in", lambda s: s.post.get_absolute_url(), "reader"),
    ("category", lambda s: s.category.get_absolute_url(), None),
    ("tag", lambda s: s.tag.get_absolute_url(), None),
    ("author", lambda s: f"/author/{s.author.username}/", None),
    ("search", lambda s: "/?s=%CE%B2%CE%B9%CE%B2%CE%BB%CE%AF%CE%B1", None),
    ("search, nothing found", lambda s: "/?s=%CF%84%CE%AF%CF%80%CE%BF%CF%84%CE%B1", None),
    ("not found", lambda s: "/no/such/page/", None),
    ("comment permalink", lambda s: f"/comment/{s.comment.pk}/", None),
    ("person", lambda s: f"/people/{s.author.username}/", None),
    ("history", lambda s: f"{s.post.get_absolute_url()}v/", None),
    ("version", lambda s: f"{s.post.get_absolute_url()}v/1/", None),
    ("year", lambda s: f"/{s.post.published_at.year}/", None),
    ("moderation log, public", lambda s: "/moderation/log/", None),
    ("corrections", lambda s: "/corrections/", None),
    ("context notes", lambda s: f"{s.post.get_absolute_url()}notes/", "reader"),
    ("sign in", lambda s: "/accounts/login/", None),
    ("sign up", lambda s: "/accounts/signup/", None),
    ("password reset", lambda s: "/accounts/password/reset/", None),
    ("personal data request", lambda s: "/personal-data/", None),
    ("profile", lambda s: "/accounts/profile/", "reader"),
    ("tokens", lambda s: "/accounts/tokens/", "reader"),
    ("account data", lambda s: "/accounts/data/", "reader"),
    ("moderation queue", lambda s: "/moderation/", "staff"),
    ("moderation, edit", lambda s: f"/moderation/{s.comment.pk}/edit/", "staff"),
    ("admin", lambda s: "/admin/", "boss"),
    ("admin, discussion settings", lambda s: "/admin/discussion/discussionsettings/", "boss"),
    ("admin, comments", lambda s: "/admin/discussion/comment/", "boss"),
    ("studio", lambda s: "/studio/", "staff"),
    ("studio, new essay", lambda s: "/studio/posts/new/", "staff"),
    ("studio, essay", lambda s: f"/studio/posts/{s.post.pk}/", "staff"),
    ("studio, revisions", lambda s: f"/studio/posts/{s.post.pk}/revisions/", "staff"),
    ("studio, references", lambda s: f"/studio/posts/{s.post.pk}/references/", "staff"),
    ("studio, media", lambda s: "/studio/media/", "staff"),
    ("studio, corrections", lambda s: "/studio/corrections/", "staff"),
]


@pytest.mark.parametrize(("name", "address", "who"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_speaks_the_sites_language(
    client: Client, site: Site, name: str, address: Callable[[Site], str], who: str | None
) -> None:
    if who is not None:
        client.force_login(getattr(site, who))
    response = client.get(address(site), follow=True)
    assert response.status_code in (200, 404), (name, response.status_code)
    page = response.content.decode()
    assert f'lang="{PSEUDO}"' in page, f"{name}: the page does not say it is in the site's language"
    assert OPEN in page, f"{name}: nothing on the page was translated"
    allowed = {site.author.username, site.staff.username, site.reader.username,
               site.boss.username, "Pseudo"}  # fmt: skip
    found = escaped_english(page, allowed=allowed)
    assert not found, f"{name}: English escaped translation: {' '.join(found)}"


def test_the_check_finds_english_outside_the_marks() -> None:
    page = (
        "<html lang='xx'><head><title>⟦Search⟧ · Η Εφημερίδα</title></head><body>"
        "<p>⟦Posted by <a href='/author/x/'>Ελένη</a>⟧ on 3 ⟦Dec.⟧ 2026</p>"
        "<button aria-label='Close menu'>×</button><input placeholder='⟦Your name⟧'>"
        "<script>const s = 'Not shown';</script><p>Reply</p>"
        "<p>See https://example.org/a-page or write to ada@example.net</p></body></html>"
    )
    assert escaped_english(page) == ["Close", "Reply", "See", "menu", "on", "or", "to", "write"]
    assert escaped_english("<p>⟦Name⟧<b>ada</b></p><pre>TY  - BLOG</pre>") == ["ada"]
    assert unmarked("⟦a ⟦b⟧ c⟧ d") == "  d"
    assert _marked("\\nText\\n") == "\\n⟦Text⟧\\n" and _marked("\\n") == "\\n⟦⟧"
