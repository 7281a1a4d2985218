"""Staff accounts, CSRF, CSP and error pages."""

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("editor", "e@example.org", PASSWORD, is_staff=True)


def login(client, username="editor", password=PASSWORD, **extra):
    return client.post(reverse("admin:login"), {"username": username, "password": password, **extra})


def test_health_check_reports_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"]) == ("ok", "ok")
    assert body["ms"] < 1000
    assert "no-cache" in response["Cache-Control"]


def test_database_outage_gives_a_friendly_503_and_healthz_503(monkeypatch):
    client = Client(raise_request_exception=False)

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    health = client.get(reverse("healthz"))
    assert health.status_code == 503
    assert health.json()["database"] == "unavailable"
    page = client.get(reverse("cases:home"))
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    html = page.content.decode()
    assert "The database is unavailable" in html and "Nothing has been lost" in html
    assert "Traceback" not in html and "OperationalError" not in html


def test_unknown_page_is_a_plain_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_strict_content_security_policy(client):
    policy = client.get(reverse("cases:home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_post_without_csrf_token_is_refused(staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "editor", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_five_failed_logins_lock_the_account_for_an_hour(client, staff, settings):
    assert (settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME) == (5, 1)
    for _ in range(5):
        response = login(client, password="wrong password")
    assert response.status_code == 429
    # Even the right password is refused while locked.
    response = login(client)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_login_works_and_resets_the_count(client, staff):
    for _ in range(3):
        login(client, password="wrong password")
    response = login(client)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


# A throttle of 60 s after a failure, not django-otp's 1 s: on a loaded machine the second
# attempt could come after the first one's throttle had already run out.
@override_settings(REQUIRE_2FA=True, OTP_TOTP_THROTTLE_FACTOR=60)
def test_two_factor_is_required_when_enabled(client, staff):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    # Password alone is not enough.
    response = login(client)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # A wrong code is refused.
    response = login(client, otp_device=device.persistent_id, otp_token="000000")
    assert "_auth_user_id" not in client.session
    # Each failure throttles further attempts on that device.
    throttled = login(client, otp_device=device.persistent_id, otp_token="000000")
    assert "Verification temporarily disabled" in str(throttled.context["form"].errors)
    device.refresh_from_db()
    device.throttle_reset()
    # The right code lets the staff member in.
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = login(client, otp_device=device.persistent_id, otp_token=token)
    assert response.status_code == 302, response.context["form"].errors
    assert client.get(reverse("admin:index")).status_code == 200


@override_settings(REQUIRE_2FA=True)
def test_a_session_without_two_factor_cannot_use_the_admin(client, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_sessions_expire_and_cookies_are_http_only(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = get_user_model()(username="someone")
    for weak in ["password123", "short", "12345678901234"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("correct horse battery staple", user)
