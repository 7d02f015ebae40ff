import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")
django_application = get_wsgi_application()

from broadsheet.core.pagecache import PageCacheFront  # noqa: E402  (needs Django set up)

# Stored pages for anonymous readers are answered here, before Django builds a request.
application = PageCacheFront(django_application)

from broadsheet.core.warm import warm_up  # noqa: E402

warm_up()  # one-time work done now, not in the first requests

from broadsheet.core.checkpoints import checkpoint_in_background  # noqa: E402

checkpoint_in_background()  # SQLite's WAL copied back by a thread, not by a request (0133)

# Everything loaded so far (Django, the apps, their modules) lives as long as the worker: the
# garbage collector need not walk it again on every full collection (about 5% of a render).
gc.collect()
gc.freeze()
