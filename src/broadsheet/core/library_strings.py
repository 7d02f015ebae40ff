"""Strings that libraries pass through gettext without shipping a translation of them, listed
here (gettext_noop) so that `make messages` puts them in our catalogs and the admin shows
them in the site's language."""

from django.utils.translation import gettext_noop

LIBRARY_STRINGS = (
    # django-tasks-db: its task result model's names in the admin.
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
)
