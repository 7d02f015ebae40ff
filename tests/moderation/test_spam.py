from __future__ import annotations

from typing import Any

import pytest

from broadsheet.moderation.models import SpamCorpus, SpamToken
from broadsheet.moderation.spam import (
    MAX_BODY_TOKENS,
    TOKEN_MAX_LENGTH,
    comment_tokens,
    spam_score,
    spam_train,
    spam_untrain,
)

pytestmark = pytest.mark.django_db

# (body, author name, author email, author url)
Comment = tuple[str, str, str, str]

SPAM: list[Comment] = [
    (
        "Cheap pills online! Buy viagra without prescription at http://cheap-pills.example/buy "
        "and http://rx-discount.example/order and http://pharmacy-now.example",
        "Cheap Pills",
        "sales@bulkmail.example",
        "http://cheap-pills.example",
    ),
    (
        "Best online casino bonus 2024, free spins no deposit: https://lucky-casino.example/bonus "
        "https://spin-win.example https://jackpot-king.example/register",
        "Casino Bonus",
        "promo@bulkmail.example",
        "https://lucky-casino.example",
    ),
    (
        "Great post!!! Order cialis and viagra cheap, discount pharmacy, fast worldwide shipping "
        "http://pharmacy-now.example/cialis http://rx-discount.example http://cheap-pills.example",
        "Discount Pharmacy",
        "offers@rxmail.example",
        "http://pharmacy-now.example",
    ),
    (
        "Win real money now! Online casino slots and poker, huge deposit bonus "
        "https://jackpot-king.example https://lucky-casino.example/slots https://spin-win.example",
        "Slots Online",
        "win@bulkmail.example",
        "https://jackpot-king.example",
    ),
    (
        "Buy tramadol online no prescription needed, cheapest prices guaranteed "
        "http://rx-discount.example/tramadol http://meds-direct.example http://cheap-pills.example",
        "Meds Direct",
        "info@rxmail.example",
        "http://meds-direct.example",
    ),
    (
        "Nice article. Visit my casino site for free bonus money and free spins today "
        "https://spin-win.example/free https://lucky-casino.example https://bet-365-bonus.example",
        "Free Spins",
        "admin@casinomail.example",
        "https://spin-win.example",
    ),
    (
        "Generic viagra 100mg best price, buy now and save 80% discount pharmacy online "
        "http://cheap-pills.example/viagra http://pharmacy-now.example http://meds-direct.example",
        "Viagra Store",
        "store@rxmail.example",
        "http://cheap-pills.example",
    ),
    (
        "Jackpot! Play online casino games, claim your welcome bonus and deposit match "
        "https://jackpot-king.example/welcome https://bet-365-bonus.example https://spin-win.example",
        "Jackpot King",
        "vip@casinomail.example",
        "https://jackpot-king.example",
    ),
    (
        "Order cheap cialis online, discreet shipping, no prescription, lowest price pharmacy "
        "http://rx-discount.example/cialis http://meds-direct.example/order http://pharmacy-now.example",
        "Rx Discount",
        "deals@rxmail.example",
        "http://rx-discount.example",
    ),
    (
        "Make money fast with online casino betting, free bonus for new players "
        "https://bet-365-bonus.example https://lucky-casino.example/new https://jackpot-king.example",
        "Bet Bonus",
        "bonus@casinomail.example",
        "https://bet-365-bonus.example",
    ),
    (
        "Buy xanax and valium online cheap, best pharmacy prices, order now "
        "http://meds-direct.example/xanax http://cheap-pills.example http://rx-discount.example",
        "Pharmacy Online",
        "sales@rxmail.example",
        "http://meds-direct.example",
    ),
    (
        "Free spins casino bonus, win big jackpot tonight, register now for deposit bonus "
        "https://spin-win.example/register https://jackpot-king.example https://lucky-casino.example",
        "Lucky Casino",
        "lucky@casinomail.example",
        "https://lucky-casino.example",
    ),
    (
        "Cheap viagra cialis levitra online pharmacy, buy generic pills discount "
        "http://pharmacy-now.example/generic http://cheap-pills.example/levitra http://rx-discount.example",
        "Generic Pills",
        "pills@bulkmail.example",
        "http://pharmacy-now.example",
    ),
    (
        "Online poker and casino slots, best bonus offers, play and win money now "
        "https://lucky-casino.example/poker https://bet-365-bonus.example https://spin-win.example",
        "Poker Bonus",
        "poker@casinomail.example",
        "https://bet-365-bonus.example",
    ),
    (
        "Buy cheap pills online now, pharmacy discount code, viagra cialis tramadol "
        "http://cheap-pills.example/code http://meds-direct.example http://pharmacy-now.example",
        "Pills Discount",
        "code@rxmail.example",
        "http://cheap-pills.example",
    ),
    (
        "Casino bonus no deposit, free money, win jackpot, online betting best site "
        "https://jackpot-king.example/free https://spin-win.example https://bet-365-bonus.example",
        "Casino Free",
        "free@bulkmail.example",
        "https://jackpot-king.example",
    ),
    (
        "Discount pharmacy online: buy viagra cheap, order pills without prescription "
        "http://rx-discount.example/viagra http://pharmacy-now.example http://meds-direct.example",
        "Online Rx",
        "order@rxmail.example",
        "http://rx-discount.example",
    ),
    (
        "Win money online casino, slots bonus, free spins, deposit now and win "
        "https://spin-win.example/slots https://lucky-casino.example https://jackpot-king.example",
        "Spin Win",
        "spin@casinomail.example",
        "https://spin-win.example",
    ),
    (
        "Cheap cialis buy online pharmacy best price discount pills fast shipping "
        "http://meds-direct.example/cialis http://rx-discount.example http://cheap-pills.example",
        "Cialis Cheap",
        "fast@bulkmail.example",
        "http://meds-direct.example",
    ),
    (
        "Best casino online bonus, jackpot slots poker betting, claim free bonus money "
        "https://bet-365-bonus.example/claim https://jackpot-king.example https://lucky-casino.example",
        "Best Casino",
        "claim@casinomail.example",
        "https://bet-365-bonus.example",
    ),
]

HAM: list[Comment] = [
    (
        "The keeper's logbooks you quote were transcribed in the 1930s; the originals at the "
        "county archive show a different date for the lamp change.",
        "Eleanor Vance",
        "eleanor@gmail.example",
        "",
    ),
    (
        "I visited the lighthouse last summer. The guide mentioned the same storm of 1881, "
        "but said the keeper's wife kept the light burning, not his assistant.",
        "Tom Whitfield",
        "tom.whitfield@posteo.example",
        "",
    ),
    (
        "Thank you for citing the Trinity House records. Do you know whether the archive holds "
        "the correspondence about rebuilding the tower after the fire?",
        "Margaret Osei",
        "m.osei@university.example",
        "",
    ),
    (
        "A small correction: the Fresnel lens was installed in 1858, according to the harbour "
        "board minutes, which are now digitised in the regional archive.",
        "David Pryce",
        "dpryce@gmail.example",
        "",
    ),
    (
        "My great-grandfather was an assistant keeper there. Family letters describe the "
        "isolation in winter and the relief boat that often could not land.",
        "Ruth Callaghan",
        "ruth@fastmail.example",
        "",
    ),
    (
        "Your footnote on the fog signal is interesting. The archive catalogue lists a separate "
        "file on complaints from the village about the noise.",
        "Ian Murdoch",
        "ian.murdoch@posteo.example",
        "",
    ),
    (
        "I think the essay underplays how the automation in the 1980s changed the lighthouse "
        "communities. The oral history collection covers this well.",
        "Priya Raman",
        "priya@university.example",
        "",
    ),
    (
        "Lovely piece of history. The photographs of the keepers' cottages in the county record "
        "office match your description of the layout.",
        "George Bell",
        "gbell@gmail.example",
        "",
    ),
    (
        "Where did the figure for shipwrecks before the light was built come from? The Lloyd's "
        "lists I checked give a lower number for that decade.",
        "Helen Foster",
        "helen.foster@fastmail.example",
        "",
    ),
    (
        "The archive reading room now requires an appointment, for anyone planning to consult "
        "the keepers' journals mentioned in the third section.",
        "Martin Hughes",
        "martin@posteo.example",
        "",
    ),
    (
        "This reminded me of the history society talk on lighthouse keepers and their families. "
        "The logbooks recorded weather, visitors and lamp oil used.",
        "Sarah Lindqvist",
        "sarah.l@university.example",
        "",
    ),
    (
        "I disagree slightly with the conclusion: the records suggest the tower was relit within "
        "a week, not a month, judging from the keeper's entries.",
        "Owen Jenkins",
        "owen.jenkins@gmail.example",
        "",
    ),
    (
        "The engineer's drawings for the lantern room are held in the national archive; I "
        "consulted them for my own research on coastal history.",
        "Clara Dubois",
        "clara@fastmail.example",
        "",
    ),
    (
        "Thank you for such a careful essay. The section on the keepers' daily routine, "
        "trimming wicks and cleaning the lens, was especially vivid.",
        "Nadia Hassan",
        "nadia.hassan@posteo.example",
        "",
    ),
    (
        "Were the keepers' logbooks ever published? I would love to read the entries about the "
        "great storm and the lifeboat rescue you describe.",
        "Peter Novak",
        "peter.novak@gmail.example",
        "",
    ),
    (
        "My grandmother grew up in the village near the lighthouse; she remembered the keeper "
        "rowing across with the post every week in the 1920s.",
        "Fiona Grant",
        "fiona.grant@university.example",
        "",
    ),
    (
        "A question about sources: is the harbour board correspondence in the county archive "
        "or still with the port authority? I could not find the catalogue entry.",
        "Samuel Okafor",
        "sokafor@fastmail.example",
        "",
    ),
    (
        "The history of the lamp itself deserves its own essay: from oil to paraffin to "
        "electricity, each change is recorded in the keepers' journals.",
        "Ingrid Larsen",
        "ingrid@posteo.example",
        "",
    ),
    (
        "I checked the parish records mentioned in your footnote and they confirm the keeper's "
        "marriage date; the archive staff were very helpful.",
        "Daniel Reyes",
        "daniel.reyes@gmail.example",
        "",
    ),
    (
        "Fascinating research. The relief rota in the logbooks shows how few keepers served "
        "there for more than two years, which fits your argument about isolation.",
        "Alice Moreau",
        "alice.moreau@university.example",
        "https://alice-moreau.example/notes",
    ),
]

UNSEEN_SPAM: Comment = (
    "Amazing offer: buy viagra and cialis at our discount pharmacy, plus casino bonus free "
    "spins! http://cheap-pills.example/deal http://new-pharma-shop.example "
    "https://lucky-casino.example/vip http://rx-discount.example",
    "Pharmacy Deals",
    "deal@rxmail.example",
    "http://new-pharma-shop.example",
)

UNSEEN_HAM: Comment = (
    "I found the keeper's logbooks for 1890 in the county archive last month; they record "
    "the storm and the lamp failure you describe in the history section.",
    "Rebecca Shaw",
    "rebecca.shaw@gmail.example",
    "",
)


def _tokens(comment: Comment) -> frozenset[str]:
    body, name, email, url = comment
    return comment_tokens(body=body, author_name=name, author_email=email, author_url=url)


def _train_site() -> None:
    for comment in SPAM:
        spam_train(tokens=_tokens(comment), is_spam=True)
    for comment in HAM:
        spam_train(tokens=_tokens(comment), is_spam=False)


def _counts() -> dict[str, tuple[int, int]]:
    """Every token's (spam, ham), leaving out rows that hold no counts."""
    return {
        token: (spam, ham)
        for token, spam, ham in SpamToken.objects.values_list("token", "spam", "ham")
        if spam or ham
    }


# --- tokenisation ----------------------------------------------------------------------


def test_body_words_are_lowercased_and_limited_to_2_to_40_characters() -> None:
    long_word = "x" * 41
    tokens = comment_tokens(body=f"The Lighthouse's KEEPER a {long_word} café_42")
    assert {"the", "lighthouse", "keeper", "café", "42"} <= tokens
    assert "a" not in tokens
    assert not any("xxxx" in token for token in tokens)


def test_link_hosts_become_url_tokens_without_www_port_or_credentials() -> None:
    tokens = comment_tokens(
        body="See HTTPS://WWW.Archive.Example:8443/path?q=1 and http://user:pw@casino.test/x."
    )
    assert {"url:archive.example", "url:casino.test"} <= tokens
    assert not any(token.startswith("url:www.") for token in tokens)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("No links at all.", "link-count:0"),
        ("One: https://a.example", "link-count:1"),
        ("Two: https://a.example http://b.example", "link-count:2"),
        ("Three: http://a.example http://a.example/again http://b.example", "link-count:3+"),
        (" ".join(f"http://h{i}.example" for i in range(50)), "link-count:3+"),
    ],
)
def test_links_are_counted_up_to_three_or_more(body: str, expected: str) -> None:
    tokens = comment_tokens(body=body)
    assert [token for token in tokens if token.startswith("link-count:")] == [expected]


def test_author_details_become_prefixed_tokens() -> None:
    tokens = comment_tokens(
        body="Hello there",
        author_name="Margaret  O'Hale",
        author_email="M.Hale@Mail.Example",
        author_url="www.mhale.example/blog",
    )
    assert {
        "name:margaret",
        "name:hale",
        "email-domain:mail.example",
        "author-url:mhale.example",
        "has-author-url",
    } <= tokens


def test_missing_or_malformed_author_details_add_nothing() -> None:
    tokens = comment_tokens(body="Hello there", author_email="not an email", author_url="  ")
    assert tokens == {"hello", "there", "link-count:0"}
    odd = comment_tokens(body="Hi", author_email="x@bad domain!", author_url="javascript:alert(1)")
    assert not any(token.startswith(("email-domain:", "author-url:")) for token in odd)
    assert "has-author-url" in odd


def test_full_width_text_and_invisible_characters_are_normalised_away() -> None:
    tokens = comment_tokens(
        body="ｈｔｔｐｓ：／／ｗｗｗ．ｐｉｌｌｓ．ｅｘａｍｐｌｅ vi\u200bag\u00adra"
    )
    assert {"url:pills.example", "link-count:1", "viagra"} <= tokens


def test_tokens_are_truncated_to_the_column_length() -> None:
    host = "a" * 300 + ".example"
    tokens = comment_tokens(body=f"http://{host}/", author_url=f"http://{host}")
    assert f"url:{host}"[:TOKEN_MAX_LENGTH] in tokens
    assert f"author-url:{host}"[:TOKEN_MAX_LENGTH] in tokens
    assert max(len(token) for token in tokens) == TOKEN_MAX_LENGTH


def test_a_hostile_huge_body_tokenises_within_bounds_and_can_be_stored() -> None:
    pieces = [
        "\u202eevil\u202c",  # right-to-left override
        "\u200f\u200e\u2066isolate\u2069",
        "z\u0351\u0352\u0353algo",  # stacked combining marks
        "\U0001f4a9\U0001f525",
        "\ufdfa",  # expands to 18 characters under NFKC
        "ﬁﬂ",  # ligatures
        "\ud800",  # a lone surrogate
        "http://" + "h" * 5000 + ".example",
        "x" * 1000,
        "word" + "\u0301" * 50,
    ]
    chunk = " ".join(pieces) + " " + " ".join(f"w{i}" for i in range(3000)) + " "
    body = (chunk * (200_000 // len(chunk) + 1))[:200_000]
    assert "\x00" not in body

    tokens = comment_tokens(body=body, author_name="\u202e" * 10_000, author_email="@" * 1000)

    assert len(tokens) <= MAX_BODY_TOKENS + 20
    assert all(0 < len(token) <= TOKEN_MAX_LENGTH for token in tokens)
    assert not any("\u202e" in token or "\ud800" in token for token in tokens)
    for token in tokens:
        token.encode("utf-8")  # storable: no lone surrogates
    spam_train(tokens=tokens, is_spam=True)
    spam_train(tokens=comment_tokens(body="an ordinary kept comment"), is_spam=False)
    assert 0.0 <= spam_score(tokens=tokens) <= 1.0


def test_the_body_cap_keeps_link_hosts_ahead_of_words() -> None:
    words = " ".join(f"word{i}" for i in range(1000))
    tokens = comment_tokens(body=f"{words} http://late.example")
    assert "url:late.example" in tokens
    assert "word0" in tokens
    assert "word999" not in tokens
    assert len(tokens) == MAX_BODY_TOKENS + 1  # plus the link count


# --- scoring -----------------------------------------------------------------------------


def test_an_untrained_site_scores_everything_exactly_neutral() -> None:
    assert spam_score(tokens=_tokens(UNSEEN_SPAM)) == 0.5
    assert spam_score(tokens=_tokens(UNSEEN_HAM)) == 0.5
    assert spam_score(tokens=frozenset()) == 0.5


def test_a_site_trained_on_one_side_only_stays_neutral() -> None:
    for comment in SPAM:
        spam_train(tokens=_tokens(comment), is_spam=True)
    assert spam_score(tokens=_tokens(UNSEEN_SPAM)) == 0.5
    assert spam_score(tokens=_tokens(UNSEEN_HAM)) == 0.5


def test_a_trained_site_tells_unseen_spam_from_unseen_ham() -> None:
    _train_site()
    assert spam_score(tokens=_tokens(UNSEEN_SPAM)) >= 0.9
    assert spam_score(tokens=_tokens(UNSEEN_HAM)) <= 0.2


def test_trained_examples_score_on_their_own_side() -> None:
    _train_site()
    assert all(spam_score(tokens=_tokens(comment)) >= 0.9 for comment in SPAM)
    assert all(spam_score(tokens=_tokens(comment)) <= 0.1 for comment in HAM)


def test_tokens_never_seen_leave_the_score_neutral() -> None:
    _train_site()
    assert spam_score(tokens=frozenset({"zzyzx", "quux"})) == 0.5


def test_training_more_spam_with_a_token_raises_the_score() -> None:
    _train_site()
    comment = comment_tokens(body="Historic lighthouse postcards for collectors")
    scores = [spam_score(tokens=comment)]
    for _ in range(5):
        spam_train(tokens=comment_tokens(body="postcards collectors casino"), is_spam=True)
        scores.append(spam_score(tokens=comment))
    assert scores == sorted(scores)
    assert scores[-1] > scores[0]


def test_training_more_ham_with_a_token_lowers_the_score() -> None:
    _train_site()
    comment = comment_tokens(body="casino history in the archive", author_name="Jackpot")
    scores = [spam_score(tokens=comment)]
    for _ in range(5):
        spam_train(tokens=comment_tokens(body="casino history archive"), is_spam=False)
        scores.append(spam_score(tokens=comment))
    assert scores == sorted(scores, reverse=True)
    assert scores[-1] < scores[0]


def test_scoring_takes_one_query_corpus_totals_included(django_assert_num_queries: Any) -> None:
    _train_site()
    tokens = _tokens(UNSEEN_SPAM)
    with django_assert_num_queries(1):
        spam_score(tokens=tokens)


def test_scoring_takes_one_query_even_before_any_training(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert spam_score(tokens=_tokens(UNSEEN_HAM)) == 0.5
    with django_assert_num_queries(0):
        assert spam_score(tokens=frozenset()) == 0.5


# --- training ------------------------------------------------------------------------------


def test_training_counts_the_comment_and_each_of_its_tokens_once() -> None:
    tokens = comment_tokens(body="buy buy buy pills http://pills.example")
    spam_train(tokens=tokens, is_spam=True)
    spam_train(tokens=tokens, is_spam=True)
    spam_train(tokens=tokens, is_spam=False)
    corpus = SpamCorpus.objects.get(pk=1)
    assert (corpus.spam, corpus.ham) == (2, 1)
    assert _counts() == dict.fromkeys(tokens, (2, 1))
    assert SpamToken.objects.count() == len(tokens)


def test_untraining_restores_the_previous_counts() -> None:
    _train_site()
    before = _counts()
    corpus_before = SpamCorpus.objects.values_list("spam", "ham").get(pk=1)
    for tokens, is_spam in ((_tokens(UNSEEN_SPAM), True), (_tokens(UNSEEN_HAM), False)):
        spam_train(tokens=tokens, is_spam=is_spam)
        assert _counts() != before
        spam_untrain(tokens=tokens, is_spam=is_spam)
        assert _counts() == before
        assert SpamCorpus.objects.values_list("spam", "ham").get(pk=1) == corpus_before


def test_a_moderator_changing_their_mind_moves_the_comment_across() -> None:
    _train_site()
    tokens = _tokens(UNSEEN_HAM)
    spam_train(tokens=tokens, is_spam=True)
    spam_untrain(tokens=tokens, is_spam=True)
    spam_train(tokens=tokens, is_spam=False)
    assert spam_score(tokens=tokens) <= 0.2


def test_untraining_never_goes_below_zero() -> None:
    tokens = comment_tokens(body="lighthouse archive", author_email="a@b.example")
    spam_untrain(tokens=tokens, is_spam=True)  # nothing trained yet
    assert not SpamToken.objects.exists()

    spam_train(tokens=tokens, is_spam=False)
    for _ in range(3):
        spam_untrain(tokens=tokens, is_spam=False)
        spam_untrain(tokens=tokens, is_spam=True)
    corpus = SpamCorpus.objects.get(pk=1)
    assert (corpus.spam, corpus.ham) == (0, 0)
    assert set(SpamToken.objects.values_list("spam", "ham")) == {(0, 0)}
    assert spam_score(tokens=tokens) == 0.5


def test_untraining_unseen_tokens_leaves_scores_in_range() -> None:
    _train_site()
    stray = frozenset({"casino", "lighthouse", "never-trained"})
    for _ in range(30):
        spam_untrain(tokens=stray, is_spam=True)
    assert not SpamToken.objects.filter(token="never-trained").exists()
    assert SpamToken.objects.get(token="casino").spam == 0
    assert 0.0 <= spam_score(tokens=_tokens(UNSEEN_SPAM)) <= 1.0


def test_caller_supplied_tokens_are_kept_storable() -> None:
    spam_train(tokens=frozenset({"t" * 500, "nul\x00byte", ""}), is_spam=True)
    assert list(SpamToken.objects.values_list("token", flat=True)) == ["t" * TOKEN_MAX_LENGTH]


def test_words_inside_links_do_not_count_as_words() -> None:
    tokens = comment_tokens(body="Read https://www.example.org/cheap-pills/buy now")
    assert "url:example.org" in tokens
    assert "read" in tokens and "now" in tokens
    assert not {"https", "www", "cheap", "pills", "buy"} & tokens
