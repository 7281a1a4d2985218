import pytest


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "a-long-test-password-1")


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client
