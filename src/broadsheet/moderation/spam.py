"""A per-site learning spam filter for comments, trained by moderators' decisions.

Robinson's per-token probabilities combined with Fisher's chi-square method (as in SpamBayes):
every comment is a set of tokens; each token's spamminess comes from how often moderators called
comments containing it spam or kept them, and the strongest clues are combined into one score.
Nothing leaves the site: the counts live in SpamToken and SpamCorpus.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F

from broadsheet.moderation.models import SpamCorpus, SpamToken

TOKEN_MAX_LENGTH = 120  # SpamToken.token's max_length
MAX_BODY_TOKENS = 300
MAX_URL_HOSTS = 20  # counted within MAX_BODY_TOKENS
MAX_NAME_WORDS = 10

# Robinson's f(w): a token seen n times is pulled towards x by a prior worth s sightings.
ROBINSON_S = 1.0
ROBINSON_X = 0.5
MIN_DEVIATION = 0.1  # tokens this close to neutral say nothing and are not combined
MAX_DISCRIMINATORS = 15

# Whole words of 2–40 letters or digits; the lookarounds keep longer runs out rather than
# chopping them into 40-character pieces.
_WORD = re.compile(r"(?<![^\W_])[^\W_]{2,40}(?![^\W_])")
_URL = re.compile(r"https?://(?:[^\s/?#@\[\]]*@)?(\[[0-9a-f:.]+\]|[\w.-]+)", re.IGNORECASE)
_WHOLE_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_OTHER_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:(?!\d)")  # "javascript:", not "host:8080"
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*")
# Invisible format characters (soft hyphen, zero-width spaces and joiners, bidi controls,
# variation selectors, tag characters) that spammers sprinkle inside words to dodge filters.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufe00-\ufe0f\ufeff\U000e0000-\U000e0fff]"
)


def _normalise(text: str) -> str:
    # NFKC first, so full-width "ｈｔｔｐ：／／" and ligatures read as their plain forms.
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).lower()


def _host(raw: str) -> str:
    return raw.strip(".-").removeprefix("www.")


def _clip(token: str) -> str:
    return token[:TOKEN_MAX_LENGTH]


def comment_tokens(
    *, body: str, author_name: str = "", author_email: str = "", author_url: str = ""
) -> frozenset[str]:
    """The features the filter learns from: body words, link hosts and count, author details.

    At most MAX_BODY_TOKENS distinct tokens come from the body (link hosts first, as they are
    the strongest signal), so a huge body costs no more than a long one.
    """
    text = _normalise(body)
    body_tokens: dict[str, None] = {}  # an ordered set

    links = 0
    hosts = 0
    for match in _URL.finditer(text):
        links += 1
        host = _host(match.group(1))
        if host and hosts < MAX_URL_HOSTS:
            token = _clip(f"url:{host}")
            if token not in body_tokens:
                body_tokens[token] = None
                hosts += 1
        if links >= 3 and hosts >= MAX_URL_HOSTS:
            break  # the count tops out at "3+" and the host quota is full

    # Words inside addresses ("http", "www", path pieces) would make every link look alike;
    # the host and the link count already speak for them.
    for match in _WORD.finditer(_WHOLE_URL.sub(" ", text)):
        if len(body_tokens) >= MAX_BODY_TOKENS:
            break
        body_tokens.setdefault(match.group(), None)

    tokens = set(body_tokens)
    tokens.add(f"link-count:{links if links < 3 else '3+'}")

    names: dict[str, None] = {}
    for match in _WORD.finditer(_normalise(author_name)):
        names.setdefault(f"name:{match.group()}", None)
        if len(names) >= MAX_NAME_WORDS:
            break
    tokens.update(names)

    email = _normalise(author_email).strip()
    if "@" in email:
        domain = email.rpartition("@")[2].strip(".")
        if _DOMAIN.fullmatch(domain):
            tokens.add(_clip(f"email-domain:{domain}"))

    url = _normalise(author_url).strip()
    if url:
        tokens.add("has-author-url")
        if "://" not in url and not _OTHER_SCHEME.match(url):
            url = f"http://{url}"  # people type "example.com/blog" into the field
        url_match = _URL.match(url)
        if url_match and (host := _host(url_match.group(1))):
            tokens.add(_clip(f"author-url:{host}"))

    return frozenset(tokens)


def _storable(tokens: Iterable[str]) -> list[str]:
    # Callers may pass their own tokens: keep them within the column and free of NULs
    # (PostgreSQL rejects those); sorted so concurrent writers lock rows in the same order.
    return sorted({_clip(t) for t in tokens if t and "\x00" not in t})


def _chi2q(x2: float, dof: int) -> float:
    """P(chi² ≥ x2) with an even number of degrees of freedom, by its closed-form series."""
    m = x2 / 2.0
    term = math.exp(-m)
    total = term
    for i in range(1, dof // 2):
        term *= m / i
        total += term
    return min(total, 1.0)


def _token_probability(spam: int, ham: int, corpus_spam: int, corpus_ham: int) -> float:
    """Robinson's f(w): the share of spam sightings, normalised by corpus sizes, then smoothed."""
    # min() guards against token counts above the totals, which untraining unseen tokens allows.
    spam_ratio = min(spam / corpus_spam, 1.0)
    ham_ratio = min(ham / corpus_ham, 1.0)
    p = spam_ratio / (spam_ratio + ham_ratio)
    n = spam + ham
    return (ROBINSON_S * ROBINSON_X + n * p) / (ROBINSON_S + n)


def spam_score(*, tokens: frozenset[str]) -> float:
    """0.0 (surely kept) to 1.0 (surely spam); exactly 0.5 until both spam and ham were trained.

    One query: the corpus totals ride along each token row as scalar subqueries, which also
    reads them in the same snapshot as the token counts. No known token means no evidence, so
    a missing row answers 0.5 just as a missing corpus does.
    """
    wanted = _storable(tokens)
    if not wanted:
        return 0.5
    # Written out: it runs for every comment posted, and building it through the ORM (two
    # scalar subqueries) took several times longer than running it.
    corpus = SpamCorpus._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT token, spam, ham, (SELECT spam FROM {corpus} WHERE id = 1), "  # noqa: S608 (names)
            f"(SELECT ham FROM {corpus} WHERE id = 1) FROM {SpamToken._meta.db_table} "
            f"WHERE token IN ({', '.join(['%s'] * len(wanted))})",
            wanted,
        )
        rows = cursor.fetchall()

    clues: list[tuple[float, str, float]] = []
    for token, spam, ham, corpus_spam, corpus_ham in rows:
        if not corpus_spam or not corpus_ham:
            return 0.5  # one side untrained: the filter knows nothing to compare against
        if spam + ham == 0:
            continue
        f = _token_probability(spam, ham, corpus_spam, corpus_ham)
        deviation = abs(f - 0.5)
        if deviation >= MIN_DEVIATION:
            clues.append((deviation, token, f))
    if not clues:
        return 0.5
    clues.sort(key=lambda clue: (-clue[0], clue[1]))  # token name breaks ties reproducibly
    probabilities = [f for _, _, f in clues[:MAX_DISCRIMINATORS]]

    # Fisher: how unlikely these probabilities are if the comment were not spam (spam_evidence)
    # and if it were not ham (ham_evidence); their difference says which hypothesis fits.
    dof = 2 * len(probabilities)
    spam_evidence = 1.0 - _chi2q(-2.0 * sum(math.log(1.0 - f) for f in probabilities), dof)
    ham_evidence = 1.0 - _chi2q(-2.0 * sum(math.log(f) for f in probabilities), dof)
    return min(max((1.0 + spam_evidence - ham_evidence) / 2.0, 0.0), 1.0)


def spam_train(*, tokens: frozenset[str], is_spam: bool) -> None:
    """Learn from a moderator's decision: spam, or not spam (kept or approved).

    Increments happen in the database (F() + 1), so concurrent trainings never lose a count.
    """
    field = "spam" if is_spam else "ham"
    wanted = _storable(tokens)
    with transaction.atomic():
        SpamCorpus.objects.get_or_create(pk=1)
        SpamCorpus.objects.filter(pk=1).update(**{field: F(field) + 1})
        if wanted:
            # A token another trainer inserts meanwhile just conflicts; the update counts it.
            SpamToken.objects.bulk_create(
                [SpamToken(token=token) for token in wanted], ignore_conflicts=True
            )
            SpamToken.objects.filter(token__in=wanted).update(**{field: F(field) + 1})


def spam_untrain(*, tokens: frozenset[str], is_spam: bool) -> None:
    """Undo an earlier spam_train with the same arguments; counts never go below zero.

    Emptied token rows are kept: deleting them could race a concurrent training whose insert
    found the row present and whose increment would then find it gone.
    """
    field = "spam" if is_spam else "ham"
    wanted = _storable(tokens)
    positive = {f"{field}__gt": 0}
    with transaction.atomic():
        SpamCorpus.objects.filter(pk=1, **positive).update(**{field: F(field) - 1})
        if wanted:
            SpamToken.objects.filter(token__in=wanted, **positive).update(**{field: F(field) - 1})
