"""caredesk's SQLite backend: Django's, with writers queued on a kernel lock."""
