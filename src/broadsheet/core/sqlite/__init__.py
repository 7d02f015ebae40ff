"""The site's SQLite database backend: Django's own, with one cost taken out (see `base`)."""

ENGINE = "broadsheet.core.sqlite"
# What DATABASE_URL's sqlite:// gives, and what a settings file written by hand may still name.
ENGINES = frozenset({ENGINE, "django.db.backends.sqlite3"})
