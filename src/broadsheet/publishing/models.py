from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from broadsheet.core.languages import (
    MAX_TAG_CHARS,
    direction,
    site_language,
    validate_language_tag,
)
from broadsheet.core.models import SingletonModel

if TYPE_CHECKING:
    from broadsheet.accounts.models import User


class Category(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    # Stored so that links to categories cost no query per level of nesting.
    path = models.CharField(max_length=1000, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "slug"], name="category_slug_unique_per_parent"
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(parent__isnull=True),
                name="category_top_level_slug_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        old_path = self.path
        self.path = self.computed_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save()  # a moved or renamed parent moves its subcategories' addresses too

    def get_absolute_url(self) -> str:
        return reverse("publishing:category", args=[self.path])

    def computed_path(self) -> str:
        """`parent/child`, as in WordPress's /category/parent/child/ URLs."""
        parts: list[str] = []
        seen: set[int | None] = set()
        node: Category | None = self
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            parts.append(node.slug)
            node = node.parent
        return "/".join(reversed(parts))


class Tag(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publishing:tag", args=[self.slug])


def _public(now: Any) -> Q:
    """Published, or scheduled whose time has come: what every reader sees."""
    return Q(published_at__isnull=False) & (
        Q(status=Post.Status.PUBLISHED) | Q(status=Post.Status.SCHEDULED, published_at__lte=now)
    )


def _signed_in(user: Any) -> bool:
    # Checked before any permission, so an anonymous reader's read costs no query.
    return user is not None and bool(getattr(user, "is_authenticated", False))


def reads_private_posts(user: Any) -> bool:
    """WordPress's read_private_posts (Editors, Administrators): every private post."""
    return _signed_in(user) and bool(user.has_perm("publishing.read_private_posts"))


def edits_others_posts(user: Any) -> bool:
    """WordPress's edit_others_posts (Editors, Administrators): every post, whatever its status."""
    return _signed_in(user) and bool(user.has_perm("publishing.edit_others_posts"))


def _own(user: Any) -> Q:
    """The post has `user` among its authors (WordPress's "own", for co-authored posts)."""
    return Q(Exists(PostAuthor.objects.filter(post=OuterRef("pk"), author=user.pk)))


class PostQuerySet(models.QuerySet["Post"]):
    def public(self) -> PostQuerySet:
        """What every reader sees, and all that lists of posts show anyone (decision 0022):
        the home page, archives, feeds, search, sitemaps, previous and next."""
        return self.filter(_public(timezone.now())).exclude(kind=Post.Kind.THREAD)

    def visible(self, user: Any = None) -> PostQuerySet:
        """What `user` may read at a post's own address: the public posts, and the private
        ones WordPress lets them read — all for Editors and Administrators, their own for
        anyone else (an Author's or Contributor's own private post, as WordPress's read_post).
        """
        shown = _public(timezone.now())
        if _signed_in(user):
            private = Q(status=Post.Status.PRIVATE, published_at__isnull=False)
            if not reads_private_posts(user):
                private &= _own(user)
            shown |= private
        return self.filter(shown)

    def in_admin_for(self, user: Any) -> PostQuerySet:
        """The admin's post list: everything for Editors and Administrators; for Authors and
        Contributors their own posts and others' public ones, never others' drafts, scheduled
        or private posts (decision 0022)."""
        if edits_others_posts(user):
            return self.all()
        return self.filter(_own(user) | _public(timezone.now()))

    @staticmethod
    def public_sql() -> tuple[str, list[Any]]:
        """`public()` as an SQL condition on `publishing_post`, for the reads written out
        (decision 0019); tests hold the two to the same answers."""
        from django.db import connection

        posts = connection.ops.quote_name(Post._meta.db_table)
        sql = (
            f"({posts}.status = %s OR ({posts}.status = %s AND {posts}.published_at <= %s)) "
            f"AND {posts}.published_at IS NOT NULL"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        return sql, [Post.Status.PUBLISHED, Post.Status.SCHEDULED, now]

    def posts(self) -> PostQuerySet:
        return self.filter(kind=Post.Kind.POST)

    def pages(self) -> PostQuerySet:
        return self.filter(kind=Post.Kind.PAGE)


class Post(models.Model):
    """An essay (kind=post) or a static page (kind=page), as WordPress keeps both in one table;
    or the discussion of a page elsewhere (kind=thread, `external_url`): the embedded thread's
    home, never listed on the site (publishing.threads)."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        PAGE = "page", _("Page")
        THREAD = "thread", _("Thread of an external page")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # Submitted by a Contributor for an Editor to publish (WordPress's "pending").
        PENDING = "pending", _("Pending review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        PRIVATE = "private", _("Private")

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.POST, db_index=True)
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    excerpt = models.TextField(
        blank=True,
        help_text=_(
            "Shown on the home page and in feeds. Left empty, the first paragraph is used."
        ),
    )
    body = models.TextField(
        blank=True, help_text=_("Markdown: CommonMark with footnotes ([^1]) and tables.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text=_("For a scheduled post, when it goes live.")
    )
    modified_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    authors: models.ManyToManyField[User, PostAuthor] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="PostAuthor", related_name="posts"
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="posts")
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    comments_open = models.BooleanField(default=True)
    # Approved comments, kept here (as WordPress's comment_count) and changed with atomic updates.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    sticky = models.BooleanField(default=False, help_text=_("Keep at the top of the home page."))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Pages only: the page this one sits under."),
    )
    menu_order = models.IntegerField(
        default=0, help_text=_("Pages only: order in the site menu (0 hides it).")
    )
    # Threads only: the page elsewhere (an allowed origin) this is the discussion of.
    external_url = models.URLField(max_length=500, blank=True, default="", editable=False)
    featured_image = models.URLField(
        max_length=1000,
        blank=True,
        help_text=_("Address of the post's image, shown above it and to social sites."),
    )
    # BCP 47 tag of the text (decision 0107): the page's <article lang dir>, feeds, JSON-LD and
    # the search dictionary follow it. A plain column, read with the post: no query of its own.
    language = models.CharField(
        max_length=MAX_TAG_CHARS,
        default=site_language,
        blank=True,  # left empty (a form without it): the site's, on save
        validators=[validate_language_tag],
        help_text=_("The language the post is written in, as a tag: en, de, es-MX, ar …"),
    )

    # Derived at save time by publishing.services.post_render; never computed per request.
    body_html = models.TextField(blank=True, editable=False)
    # The featured image as <img srcset …> when it is a library image (media.figures), else "".
    featured_image_html = models.TextField(blank=True, editable=False)
    footnotes_html = models.TextField(blank=True, editable=False)
    # The references list (<ul> of <li id="ref-KEY">): the cited ones and those marked uncited,
    # in the site's citation style (publishing.csl).
    bibliography_html = models.TextField(blank=True, editable=False)
    excerpt_html = models.TextField(blank=True, editable=False)
    toc = models.JSONField(default=list, blank=True, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    # Digest of the Markdown file a post was last published from, so re-publishing is a no-op.
    source_digest = models.CharField(max_length=64, blank=True, editable=False)
    # Kept by post_save (publishing.revisions): the number of the revision the post's text is,
    # which an editor's save names (`based_on`) to be refused when someone saved in between;
    # and the current published version with its date ("Updated …", decision 0038).
    revision = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    version_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the apps above have for this post's page, as ",name,name,": a reader registered
    # with publishing.additions runs its query only for a post marked with its name, so a post
    # with no corrections, notes or likes costs its page render no query for them.
    marks = models.CharField(max_length=200, blank=True, default="", editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="post_slug_unique_per_kind"),
            models.UniqueConstraint(
                fields=["external_url"],
                condition=~Q(external_url=""),
                name="post_external_url_unique",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status", "published_at"], name="post_listing")]
        permissions = [
            ("publish_post", "Can publish posts (not only submit drafts)"),
            ("edit_others_posts", "Can edit posts by other authors"),
            ("read_private_posts", "Can read private posts by other authors"),
        ]

    # What a Contributor may still edit and choose: never shown to readers, never dated.
    UNPUBLISHED = (Status.DRAFT, Status.PENDING)

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A post loaded before an app marked it (publishing.additions.post_mark) and saved
        after must not take the mark away: saving a stored post writes every field but the
        marks, unless the caller names its fields."""
        if not self.language:
            self.language = site_language()
        stored = not self._state.adding and not kwargs.get("force_insert")
        if stored and kwargs.get("update_fields") is None and not args:
            kwargs["update_fields"] = _SAVED_WITHOUT_MARKS
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # A page of comments asks for its post's address for every card and link: it is
        # worked out once for the fields it depends on (a page's walks its parents: not kept).
        key = (self.kind, self.pk, self.slug, self.published_at)
        memo = self.__dict__.get("_url_memo")
        if memo is not None and memo[0] == key:
            return memo[1]
        url = self._absolute_url()
        if not self.is_page:
            self.__dict__["_url_memo"] = (key, url)
        return url

    @property
    def language_dir(self) -> str:
        """The direction ("rtl" or "ltr") of the post's language, for its dir attribute."""
        return direction(self.language)

    def _absolute_url(self) -> str:
        if self.is_page:
            return reverse("publishing:page", args=[self.page_path])
        if self.kind == self.Kind.THREAD:
            return reverse("publishing:thread", args=[self.pk])
        if self.published_at is None:
            return reverse("publishing:preview", args=[self.pk])
        local = timezone.localtime(self.published_at)
        return reverse(
            "publishing:post",
            kwargs={
                "year": local.year,
                "month": f"{local.month:02d}",
                "day": f"{local.day:02d}",
                "slug": self.slug,
            },
        )

    def clean(self) -> None:
        # WordPress's "Schedule" needs a time: without one the post would never go live, and
        # nothing would say why.
        if self.status == self.Status.SCHEDULED and self.published_at is None:
            raise ValidationError(
                {
                    "published_at": _(
                        "A scheduled post needs the date and time it goes live: "
                        "set them, or choose another status."
                    )
                }
            )

    @property
    def is_page(self) -> bool:
        return self.kind == self.Kind.PAGE

    @property
    def reading_minutes(self) -> int:
        from broadsheet.core.markdown import WORDS_PER_MINUTE

        return max(1, round(self.word_count / WORDS_PER_MINUTE))

    def is_visible_to(self, user: Any) -> bool:
        """`Post.objects.visible(user)`, for a post already read. Costs a query only for a
        private post and a signed-in reader who may not read every private post."""
        if self.is_public:
            return True
        if self.status != self.Status.PRIVATE or self.published_at is None:
            return False
        return _signed_in(user) and (reads_private_posts(user) or self.is_authored_by(user))

    def is_editable_by(self, user: Any) -> bool:
        """WordPress's edit_post: Editors and Administrators edit every post; an Author their
        own; a Contributor their own drafts and pending posts, until they are published."""
        if edits_others_posts(user):
            return True
        if not _signed_in(user) or not user.has_perm("publishing.change_post"):
            return False
        if self.status not in self.UNPUBLISHED and not user.has_perm("publishing.publish_post"):
            return False
        return self.is_authored_by(user)

    def may_be_previewed_by(self, user: Any) -> bool:
        """A preview shows what the reader could read, or what they could edit."""
        return self.is_visible_to(user) or self.is_editable_by(user)

    def is_authored_by(self, user: Any) -> bool:
        return PostAuthor.objects.filter(post=self.pk, author=user.pk).exists()

    @property
    def is_public(self) -> bool:
        return self.published_at is not None and (
            self.status == self.Status.PUBLISHED
            or (self.status == self.Status.SCHEDULED and self.published_at <= timezone.now())
        )

    @property
    def page_path(self) -> str:
        parts: list[str] = []
        seen: set[int | None] = set()
        node: Post | None = self
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            parts.append(node.slug)
            node = node.parent
        return "/".join(reversed(parts))


# What saving a stored post writes (Post.save): every field but its marks.
_SAVED_WITHOUT_MARKS = tuple(
    field.name
    for field in Post._meta.concrete_fields
    if not field.primary_key and field.name != "marks"
)


class PostAuthor(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "author"], name="post_author_once")]

    def __str__(self) -> str:
        return f"{self.author} on {self.post}"


class PostRedirect(models.Model):
    """An old address of a post (a changed slug or date) that answers with a 301 to its current one."""

    old_path = models.CharField(max_length=500, unique=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("post redirect")
        verbose_name_plural = _("post redirects")

    def __str__(self) -> str:
        return f"{self.old_path} → {self.post}"


class Reference(models.Model):
    """One bibliography entry of a post, with fields that map onto CSL-JSON."""

    class Kind(models.TextChoices):
        BOOK = "book", _("Book")
        CHAPTER = "chapter", _("Book chapter")
        JOURNAL_ARTICLE = "article-journal", _("Journal article")
        NEWSPAPER_ARTICLE = "article-newspaper", _("Newspaper article")
        WEB_PAGE = "webpage", _("Web page")
        ARCHIVAL = "manuscript", _("Archival document")
        REPORT = "report", _("Report")
        # Read from BibTeX and RIS (thesis, inproceedings, magazines, blogs) and the kind of
        # an essay cited as itself.
        THESIS = "thesis", _("Thesis")
        CONFERENCE_PAPER = "paper-conference", _("Conference paper")
        MAGAZINE_ARTICLE = "article-magazine", _("Magazine article")
        BLOG_POST = "post-weblog", _("Blog post")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveIntegerField(default=0)
    key = models.SlugField(
        _("key"),
        max_length=80,
        blank=True,
        help_text=_("A short id such as conquest1990; filled in when empty."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BOOK)
    # {"author": [{"family": "…", "given": "…"} | {"literal": "…"}], "editor": [...], "translator": [...]}
    contributors = models.JSONField(default=dict, blank=True)
    title = models.CharField(_("title"), max_length=500)
    original_title = models.CharField(
        _("original title"),
        max_length=500,
        blank=True,
        help_text=_("The title in the original language."),
    )
    container_title = models.CharField(
        _("container title"),
        max_length=500,
        blank=True,
        help_text=_("The book, journal, newspaper or website that contains this item."),
    )
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Place of publication.")
    )
    issued = models.CharField(
        _("issued"),
        max_length=32,
        blank=True,
        help_text=_("Date of publication: YYYY, YYYY-MM or YYYY-MM-DD."),
    )
    volume = models.CharField(_("volume"), max_length=40, blank=True)
    issue = models.CharField(_("issue"), max_length=40, blank=True)
    pages = models.CharField(_("pages"), max_length=40, blank=True)
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    doi = models.CharField(max_length=200, blank=True, verbose_name=_("DOI"))
    isbn = models.CharField(max_length=20, blank=True, verbose_name=_("ISBN"))
    archive = models.CharField(_("archive"), max_length=300, blank=True)
    archive_location = models.CharField(max_length=300, blank=True, verbose_name=_("call number"))
    accessed = models.DateField(_("accessed"), null=True, blank=True)
    # A remark on the source (CSL's `note`), not a context note (notes.Note): its own context.
    note = models.TextField(pgettext_lazy("reference field", "note"), blank=True)
    uncited = models.BooleanField(
        _("uncited"),
        default=False,
        help_text=_("List it in the bibliography even though the text never cites it."),
    )
    html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        from broadsheet.publishing.citations import reference_html, reference_key, unique_key

        if not self.key:
            siblings = Reference.objects.filter(post_id=self.post_id).exclude(pk=self.pk)
            taken = set(siblings.values_list("key", flat=True))
            self.key = unique_key(reference_key(self), taken)
        self.html = reference_html(self)
        super().save(*args, **kwargs)


class Revision(models.Model):
    """A post's text as one save left it (title, excerpt, body, references as CSL-JSON items):
    WordPress's `revision` post type. Published versions (`version`) have a public address."""

    class Origin(models.TextChoices):
        SAVED = "saved", _("Saved")
        IMPORTED = "imported", _("Imported")
        RESTORED = "restored", _("Restored")
        REFUSED = "refused", _("Not applied (edit conflict)")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    # The post's own sequence (Post.revision is the latest applied); none for a refused save.
    number = models.PositiveIntegerField(null=True, blank=True)
    # Published versions 1, 2, 3 … of a public post: their text keeps a permanent address.
    version = models.PositiveIntegerField(null=True, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.SAVED)
    based_on = models.PositiveIntegerField(null=True, blank=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    excerpt = models.TextField(blank=True)
    body = models.TextField(blank=True)
    references = models.JSONField(default=list, blank=True)  # CSL-JSON items, in order
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Words added and removed against the revision before (the list shows them).
    words_added = models.PositiveIntegerField(default=0)
    words_removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "number"],
                condition=Q(number__isnull=False),
                name="revision_number_once",
            ),
            models.UniqueConstraint(
                fields=["post", "version"],
                condition=Q(version__isnull=False),
                name="revision_version_once",
            ),
        ]
        indexes = [models.Index(fields=["post", "-id"], name="revision_by_post")]

    def __str__(self) -> str:
        return f"{self.post_id} #{self.number or 'refused'}"

    @property
    def snapshot(self) -> tuple[str, str, str, list[Any]]:
        return (self.title, self.excerpt, self.body, self.references)


class CitationSettings(SingletonModel):
    """How citations and bibliographies are written on this site (a CSL style)."""

    class Style(models.TextChoices):
        CHICAGO = "chicago-author-date", _("Chicago Manual of Style (author–date)")
        APA = "apa", _("APA")
        MLA = "modern-language-association", _("MLA")

    style = models.CharField(
        "Citation style",
        max_length=40,
        choices=Style.choices,
        default=Style.CHICAGO,
        help_text=_("Changing it renders every essay's citations and bibliography again."),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("citation settings")

    def __str__(self) -> str:
        return "Citation settings"
