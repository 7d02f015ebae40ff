"""Context notes: notes on an essay or a passage, rated by readers, shown when readers who usually disagree both find them helpful (docs/notes.md)."""
