import pytest
from django.core.cache import cache
from django.db.backends.utils import CursorWrapper

_EXECUTE = CursorWrapper.execute

# pytest-django collects the tests in the order Django runs them: those in a rolled-back
# transaction first, then the transactional ones (whose flush leaves the reference data of
# the migrations gone until the next serialized_rollback test) and the browser tests (whose
# session-long Playwright loop makes the ORM refuse to run), then those without a database.
# xdist's default mode, --dist load, hands each worker its tests in that order; the others
# group or steal tests out of it, and then a test after a flush finds no charge categories.
ORDER_KEEPING_DIST = {"no", "load"}


def pytest_configure(config):
    dist = config.getoption("dist", "no")
    if dist not in ORDER_KEEPING_DIST:
        raise pytest.UsageError(
            f"--dist {dist} runs tests out of the order pytest-django sets (transactional and browser tests "
            "last), so later tests lose the reference data. Use -n N alone (--dist load)."
        )


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache, so cached pages and counts never leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def rollups_stay_exact(request):
    """After every test that used the database, the rollups equal a fresh count of the cases:
    whatever path a test wrote by (admin, import, publish, corrections, bulk helpers), the
    counts the public pages read from the rollups are exact."""
    yield
    uses_db = {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames)
    if not uses_db and not request.node.get_closest_marker("django_db"):
        return
    if CursorWrapper.execute is not _EXECUTE:
        return  # the test has cut the database off (an outage drill) and not yet restored it
    from tests.support.rollups import rollup_differences

    differences = rollup_differences()
    assert not differences, f"rollups out of step with the cases: {differences}"


@pytest.fixture(autouse=True)
def primary_only(request, monkeypatch):
    """With a read replica configured (the PostgreSQL run), only tests marked ``replica`` read
    from it: its connection cannot see the uncommitted transaction that a test runs in."""
    if not request.node.get_closest_marker("replica"):
        monkeypatch.setattr("detainers.replica.configured", lambda: False)


@pytest.fixture
def no_page_cache(settings):
    """Turn off the whole-page cache (detainers/pagecache.py), for tests of the caches beneath it."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "a-long-test-password-1")


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def editor(client, django_user_model):
    """A client logged in as a member of the Editor group (see cases/migrations/0004_staff_groups.py)."""
    from tests.staff import user_in

    client.force_login(user_in(django_user_model, "Editor"))
    return client


@pytest.fixture
def publisher(client, django_user_model):
    """A client logged in as a member of the Publisher group."""
    from tests.staff import user_in

    client.force_login(user_in(django_user_model, "Publisher"))
    return client


@pytest.fixture
def world():
    """The shared public-site fixture data (tests/public_world.py)."""
    from tests.public_world import build_world

    return build_world()


@pytest.fixture
def public():
    """An anonymous client of its own: admin_client logs in the shared ``client``."""
    from django.test import Client

    return Client()
