"""Print, as JSON, the number of SQL queries each URL (argv) runs, with the test client
against the database in DATABASE_URL."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detainers.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

setup_test_environment()
client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
counts = {}
for url in sys.argv[1:]:
    try:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, secure=True)
            if response.streaming:
                for _ in response.streaming_content:
                    pass
        counts[url] = {"queries": len(captured), "status": response.status_code}
    except Exception as error:
        counts[url] = {"queries": None, "status": f"error: {type(error).__name__}: {error}"[:200]}
        connection.close()
print(json.dumps(counts))
