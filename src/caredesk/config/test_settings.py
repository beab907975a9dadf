"""Settings for the test suite: the real settings, with a throwaway data directory."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("CAREDESK_DATA_DIR", tempfile.mkdtemp(prefix="caredesk-test-"))

from caredesk.config.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  # whitenoise warns otherwise
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CAREDESK_JOBS = "inline"  # a job runs when its transaction commits: tests see its effect
if DATABASES["default"]["ENGINE"] == "caredesk.core.sqlite":  # noqa: F405
    # A file, not memory: the worker started by the job tests must see the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
