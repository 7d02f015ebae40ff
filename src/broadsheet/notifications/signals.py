"""Emails caused by changes elsewhere (comments, moderation) are queued here."""
