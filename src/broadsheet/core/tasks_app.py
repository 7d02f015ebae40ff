"""django-tasks-db's app, named in the site's language in the admin (a module of its own: an
apps.py holding two configurations would leave Django without a default for core)."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    """The library's name for its app is a plain English string. Its models' names are lazy
    gettext calls: their msgids are in our catalogs (core.library_strings)."""

    verbose_name = _("Background tasks")  # type: ignore[assignment]
