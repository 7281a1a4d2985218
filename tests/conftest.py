import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache, so cached pages and counts never leak between tests."""
    cache.clear()
    yield
    cache.clear()


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
