"""Corrections proposed by readers and published by authors (issue 16, §3; docs/corrections.md)."""
