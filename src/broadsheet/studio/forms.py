"""The editor's form: what a writer may set on a post, checked against their role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from broadsheet.accounts.models import User
from broadsheet.core.languages import language_choices, language_name, site_language
from broadsheet.publishing.models import Category, Post, Tag
from broadsheet.studio.access import may_publish

# A 10,000-word essay is about 70,000 characters; this is room for the longest monograph
# chapter while keeping a request well under the upload limit (decision 0030).
MAX_BODY = 400_000
MAX_EXCERPT = 5_000
MAX_TAGS = 50


def status_choices(user: Any) -> list[tuple[str, str]]:
    """Contributors keep a post a draft or submit it; publishers choose any status."""
    if may_publish(user):
        return [(value, str(label)) for value, label in Post.Status.choices]
    # Labels are translated (lazy): as text in the request's language.
    return [(status.value, str(status.label)) for status in Post.UNPUBLISHED]


def language_options(post: Post) -> list[tuple[str, str]]:
    """The site's languages, and the post's own when it is another (an imported essay's):
    keeping a post's language never needs the site to enable it (decision 0107)."""
    options = language_choices()
    if post.language and post.language not in {tag for tag, _ in options}:
        options.append((post.language, language_name(post.language)))
    return options


def writers() -> Any:
    """Who may be named an author: the writing roles (staff), never a Subscriber."""
    return User.objects.filter(is_active=True, is_staff=True).order_by("username")


class PostForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )
    body = forms.CharField(
        label=pgettext_lazy("the post's text field", "Text"),
        required=False,
        max_length=MAX_BODY,
        strip=False,
        # dir=auto: an Arabic or Hebrew text is edited right to left, whatever the site's.
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "true", "dir": "auto"}),
        error_messages={
            "max_length": _(
                "The text is %(show_value)s characters long; a post holds at most "
                "%(limit_value)s. Split it into parts, or move long appendices to a page of their "
                "own."
            )
        },
    )
    excerpt = forms.CharField(
        label=_("Excerpt"),
        required=False,
        max_length=MAX_EXCERPT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown on the home page and in feeds; left empty, the first paragraph is used."
        ),
    )
    slug = forms.SlugField(
        label=_("Address (slug)"),
        required=False,
        max_length=200,
        allow_unicode=True,
        help_text=_("Left empty, it is made from the title."),
    )
    status = forms.ChoiceField(label=_("Status"))
    published_at = forms.DateTimeField(
        label=_("Publish date"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("A date in the future schedules the post."),
    )
    comments_open = forms.BooleanField(label=_("Comments open"), required=False)
    language = forms.ChoiceField(
        required=False,  # left out (an older editor page, a script): the post keeps its own
        label=_("Language"),
        help_text=_("The language the post is written in: its page, feeds and search follow it."),
    )
    featured_image = forms.URLField(
        required=False, max_length=1000, assume_scheme="https", label=_("Featured image address")
    )
    authors = forms.ModelMultipleChoiceField(
        label=_("Authors"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Co-authors share the post. Left empty, you are its author."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        required=False, max_length=2000, help_text=_("Separated by commas."), label=_("Tags")
    )
    # What the editor loaded: a save on top of a newer text is refused (an edit conflict).
    based_on = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, post: Post, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.post = user, post
        self.fields["status"].choices = status_choices(user)  # type: ignore[attr-defined]
        self.fields["authors"].queryset = writers()  # type: ignore[attr-defined]
        self.fields["language"].choices = language_options(post)  # type: ignore[attr-defined]

    def clean_based_on(self) -> int | None:
        value = self.cleaned_data["based_on"].strip()
        if not self.post.pk:
            return None
        if not value.isdigit() or len(value) > 9:
            # Without it a save could overwrite someone else's: never guess. (Said above the
            # form: the field is hidden.)
            self.add_error(None, _("The page did not say which version you edited: open it again."))
            return None
        return int(value)

    def clean_language(self) -> str:
        return str(self.cleaned_data["language"] or self.post.language or site_language())

    def clean_tags(self) -> list[str]:
        names = [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]
        names = list(dict.fromkeys(name[:200] for name in names))
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(
                ngettext("At most %(count)d tag.", "At most %(count)d tags.", MAX_TAGS)
                % {"count": MAX_TAGS}
            )
        known = {tag.name.casefold() for tag in Tag.objects.filter(_named(names))}
        unknown = [name for name in names if name.casefold() not in known]
        if unknown and not self.user.has_perm("publishing.add_tag"):
            raise forms.ValidationError(
                ngettext(
                    "No such tag: %(names)s. Only Authors and Editors add new tags.",
                    "No such tags: %(names)s. Only Authors and Editors add new tags.",
                    len(unknown),
                )
                % {"names": ", ".join(unknown)}
            )
        return names

    def clean_authors(self) -> list[User]:
        chosen = list(self.cleaned_data["authors"])
        if not chosen:
            return list(self.post.authors.all()) if self.post.pk else [self.user]
        if self.user.has_perm("publishing.edit_others_posts"):
            return chosen
        if not any(author.pk == self.user.pk for author in chosen):
            raise forms.ValidationError(
                _("Keep yourself among the authors: only an Editor gives a post away.")
            )
        return chosen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status, when = data.get("status"), data.get("published_at")
        if status in (Post.Status.PUBLISHED, Post.Status.SCHEDULED):
            # One choice, "Published": a date still to come schedules it (WordPress's future).
            scheduled = when is not None and when > timezone.now()
            data["status"] = Post.Status.SCHEDULED if scheduled else Post.Status.PUBLISHED
        if "title" in data and "slug" in data:
            data["slug"] = self._free_slug(data["slug"] or slugify(data["title"], True) or "post")
        return data

    def _free_slug(self, wanted: str) -> str:
        taken = Post.objects.filter(kind=self.post.kind, slug__startswith=wanted[:190])
        if self.post.pk:
            taken = taken.exclude(pk=self.post.pk)
        used = set(taken.values_list("slug", flat=True))
        if wanted not in used:
            return wanted
        if self.cleaned_data.get("slug"):
            self.add_error("slug", _("Another post already has this address: choose another."))
            return wanted
        n = 2
        while f"{wanted[:190]}-{n}" in used:
            n += 1
        return f"{wanted[:190]}-{n}"


def initial_for(post: Post) -> dict[str, Any]:
    """The form's values for a saved post (or a new one's defaults)."""
    initial: dict[str, Any] = {
        name: getattr(post, name)
        for name in ("title", "body", "excerpt", "slug", "status", "comments_open", "language")
    }
    initial["featured_image"] = post.featured_image
    initial["based_on"] = version_of(post)
    if post.published_at:
        initial["published_at"] = timezone.localtime(post.published_at)
    if post.pk:
        initial["authors"] = [a.pk for a in post.authors.all()]
        initial["categories"] = [c.pk for c in post.categories.all()]
        initial["tags"] = ", ".join(tag.name for tag in post.tags.all())
    return initial


def version_of(post: Post) -> str:
    """The revision of a post the editor was given (publishing.revisions), to tell an edit
    conflict: a save names it as `based_on`."""
    return str(post.revision) if post.pk else ""


def apply(post: Post, data: dict[str, Any]) -> Post:
    """Set the form's fields on `post` (unsaved): what a save stores and a preview shows."""
    for name in ("title", "body", "excerpt", "slug", "status", "comments_open", "language"):
        setattr(post, name, data[name])
    post.featured_image = data["featured_image"]
    when: datetime | None = data["published_at"]
    stored = post.published_at
    if when is not None and stored is not None and when == stored.replace(second=0, microsecond=0):
        when = stored  # the field shows minutes: a date left alone keeps its seconds
    # A draft or pending post is never dated: it is in no archive until it is published.
    post.published_at = None if post.status in Post.UNPUBLISHED else when
    return post


def tags_named(names: list[str]) -> list[Tag]:
    """The tags of these names, new ones made (the form allowed them only to Authors up)."""
    found = {tag.name.casefold(): tag for tag in Tag.objects.filter(_named(names))}
    tags = []
    for name in names:
        tag = found.get(name.casefold())
        if tag is None:
            tag = Tag.objects.create(name=name, slug=_tag_slug(name))
            found[name.casefold()] = tag
        tags.append(tag)
    return tags


def _named(names: list[str]) -> Q:
    query = Q(pk__in=[])
    for name in names:
        query |= Q(name__iexact=name)
    return query


def _tag_slug(name: str) -> str:
    base = slugify(name, allow_unicode=True)[:190] or "tag"
    slug, n = base, 2
    while Tag.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
