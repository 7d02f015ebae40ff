from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from broadsheet.search.services import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Build the search index again from the published posts, pages and approved comments. "
        "The index follows every change by itself; this is for after a restore from a backup "
        "or a bulk change made directly in the database."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        written = search_index_rebuild()
        self.stdout.write(f"Indexed {written} posts, pages and comments.")
