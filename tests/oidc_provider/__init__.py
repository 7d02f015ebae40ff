"""A stand-alone OpenID Connect provider (django-oauth-toolkit) for end-to-end sign-in tests.

It is a separate Django project run in its own process (see ``run.py``) and never imports
``broadsheet``; ``tests.accounts.oidc`` starts it for tests.
"""
