"""Print the API's OpenAPI schema (python -m caredesk.config.openapi)."""

from __future__ import annotations

import json
import os


def schema_json() -> str:
    from caredesk.config.api import api

    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.config.test_settings")
    import django

    django.setup()
    print(schema_json(), end="")
