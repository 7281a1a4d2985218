"""The suite refuses xdist modes that reorder tests (see ORDER_KEEPING_DIST in tests/conftest.py)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_pytest(*options):
    """pytest on tests/test_dates.py, which uses no database, so this run creates no test database."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *options, "tests/test_dates.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_a_mode_that_groups_tests_by_file_is_refused_with_the_reason():
    result = run_pytest("-n", "2", "--dist", "loadfile")
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage error
    assert "--dist loadfile runs tests out of the order pytest-django sets" in result.stderr
    assert "Use -n N alone (--dist load)." in result.stderr


def test_the_default_mode_of_make_test_runs():
    result = run_pytest("-n", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
