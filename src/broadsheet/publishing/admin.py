from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from broadsheet.accounts.models import User
from broadsheet.core.admin import HttpsURLField, SingletonAdmin
from broadsheet.publishing.citations import name_text, parse_name
from broadsheet.publishing.models import (
    Category,
    CitationSettings,
    Post,
    PostAuthor,
    PostQuerySet,
    PostRedirect,
    Reference,
    Tag,
)
from broadsheet.publishing.revisions import revision_take
from broadsheet.publishing.services import post_render, post_rerender, post_save


class ReferenceForm(forms.ModelForm):
    """Names are typed one per line as 'Family, Given' and stored in CSL-JSON form."""

    authors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("One per line: Family, Given"),
    )
    editors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("One per line: Family, Given"),
    )
    translators = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 1}),
        required=False,
        help_text=_("One per line: Family, Given"),
    )

    class Meta:
        model = Reference
        fields = [
            f.name
            for f in Reference._meta.get_fields()
            if f.concrete and f.editable and f.name not in ("id", "contributors")
        ]
        widgets = {"url": forms.URLInput}
        field_classes = {"url": HttpsURLField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contributors = self.instance.contributors or {}
        for field, role in (
            ("authors", "author"),
            ("editors", "editor"),
            ("translators", "translator"),
        ):
            self.initial[field] = "\n".join(
                name_text(n, inverted=True) for n in contributors.get(role, [])
            )

    def save(self, commit: bool = True) -> Reference:
        self.instance.contributors = {
            role: [
                parse_name(line) for line in self.cleaned_data[field].splitlines() if line.strip()
            ]
            for field, role in (
                ("authors", "author"),
                ("editors", "editor"),
                ("translators", "translator"),
            )
            if self.cleaned_data[field].strip()
        }
        return super().save(commit)


class _PostInline(admin.options.InlineModelAdmin[Any, Post]):
    """A post's inline is changed only with its post: not on another author's post."""

    def has_add_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        allowed = super().has_add_permission(request, obj)
        return allowed and (obj is None or obj.is_editable_by(request.user))

    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.is_editable_by(request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.is_editable_by(request.user))


class ReferenceInline(_PostInline, admin.StackedInline):
    model = Reference
    form = ReferenceForm
    extra = 0
    fields = (
        ("kind", "position", "key"),
        "authors",
        "editors",
        "translators",
        "title",
        "original_title",
        "container_title",
        ("publisher", "place", "issued"),
        ("volume", "issue", "pages"),
        ("url", "accessed"),
        ("doi", "isbn"),
        ("archive", "archive_location"),
        "note",
        "uncited",
    )


class PostAuthorInline(_PostInline, admin.TabularInline):
    model = PostAuthor
    extra = 0
    min_num = 1
    autocomplete_fields = ("author",)


class MineFilter(admin.SimpleListFilter):
    """WordPress's "Mine" view of the post list."""

    title = _("author")
    parameter_name = "mine"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", gettext("Mine"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Post]) -> QuerySet[Post]:
        if self.value() == "1":
            return queryset.filter(authors=request.user.pk)
        return queryset


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "published_at", "modified_at")
    list_filter = (MineFilter, "kind", "status", "categories", "tags")
    search_fields = ("title", "body")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("categories", "tags")
    date_hierarchy = "published_at"
    inlines = [PostAuthorInline, ReferenceInline]
    readonly_fields = ("rendered_preview",)
    fieldsets = (
        (None, {"fields": ("kind", "title", "slug", "excerpt", "body")}),
        (
            _("Publishing"),
            {"fields": ("status", "published_at", "language", "comments_open", "sticky")},
        ),
        (_("Classification"), {"fields": ("categories", "tags")}),
        (_("Pages"), {"fields": ("parent", "menu_order"), "classes": ("collapse",)}),
        (_("Preview"), {"fields": ("rendered_preview",)}),
    )

    @admin.display(description=_("Rendered body"))
    def rendered_preview(self, obj: Post) -> SafeString:
        if not obj.pk:
            return format_html("<p>{}</p>", gettext("Save the post to see it rendered."))
        problems = post_render(post=obj)
        return format_html(
            '<p><a href="{}" target="_blank">{}</a></p>'
            "{}"
            '<div class="broadsheet-preview">{}{}{}</div>',
            obj.get_absolute_url() if obj.is_public else f"/preview/{obj.pk}/",
            gettext("Open the full page preview"),
            format_html(
                '<ul class="errorlist">{}</ul>',
                mark_safe("".join(format_html("<li>{}</li>", p) for p in problems)),
            )
            if problems
            else "",
            mark_safe(obj.body_html),
            mark_safe(obj.bibliography_html),
            mark_safe(obj.footnotes_html),
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        # Authors and contributors see their own posts and others' public ones (decision 0022).
        return cast(PostQuerySet, super().get_queryset(request)).in_admin_for(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        # Others' posts open read-only; a contributor's submitted post is the editor's now.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.is_editable_by(request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.is_editable_by(request.user))

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # "Delete selected" asks has_delete_permission without the posts: refuse others' here.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not all(post.is_editable_by(request.user) for post in objs):
            perms_needed = {*perms_needed, "posts by other authors"}
        return deleted, counts, perms_needed, protected

    def get_form(
        self, request: HttpRequest, obj: Post | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if not request.user.has_perm("publishing.publish_post") and "status" in form.base_fields:
            # Contributors write drafts; an editor or author publishes them.
            status = form.base_fields["status"]
            assert isinstance(status, forms.ChoiceField)
            status.choices = [(s.value, s.label) for s in Post.UNPUBLISHED]
        return form

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":
            # The choices are titles: only pages this writer may see in the list (decision 0022).
            kwargs["queryset"] = Post.objects.pages().in_admin_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Post, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, PostAuthorInline) and obj.pk is None:
            # A new post is the writer's (WordPress's default author): the author row comes
            # filled in, instead of failing as empty at the foot of a long form.
            kwargs["initial"] = [{"author": request.user.pk}]
        return kwargs

    def save_model(self, request: HttpRequest, obj: Post, form: Any, change: bool) -> None:
        if not request.user.has_perm("publishing.publish_post") and obj.status not in (
            Post.UNPUBLISHED
        ):
            obj.status = Post.Status.DRAFT
        post_save(post=obj, by=cast(User, request.user))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(f.has_changed() for f in formsets if f.model is Reference):
            # Citations and the bibliography depend on the references saved just now.
            post_rerender(post=form.instance)
        if not form.instance.postauthor_set.exists():
            PostAuthor.objects.create(post=form.instance, author=cast(User, request.user))
        # The references are inlines, saved after the post: the revision post_save took gets
        # them (the request's transaction still holds the post's row).
        post = form.instance
        revision_take(post=post, by=cast(User, request.user), amend_at=post.modified_at)


@admin.register(CitationSettings)
class CitationSettingsAdmin(SingletonAdmin):
    """The site's citation style; saving a new one renders every essay's citations again."""

    fields = ("style",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(PostRedirect)
class PostRedirectAdmin(admin.ModelAdmin):
    list_display = ("old_path", "post", "created_at")
    search_fields = ("old_path",)
    raw_id_fields = ("post",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PostRedirect]:
        return super().get_queryset(request).select_related("post")
