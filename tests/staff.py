"""Helpers for the staff-workflow tests: users in the Editor and Publisher groups, and
the POST data an admin change form would send back unchanged."""

import datetime as dt

from django import forms
from django.contrib.auth.models import Group


def user_in(django_user_model, group, username=None):
    user = django_user_model.objects.create_user(
        username or group.lower(), f"{group.lower()}@example.org", "a-long-test-password-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def unchanged_form_data(response, **changes):
    """The admin change form's current values, as a browser would post them, plus ``changes``."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled or isinstance(field, forms.FileField):
            continue  # an unchanged file input posts nothing
        value = form[name].value()
        if value is None:
            value = ""
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, bool):
            if not value:
                continue
            value = "on"
        data[name] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
