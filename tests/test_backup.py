"""Backup and restore round-trip the whole database: same row counts, same checksums."""

import pytest
from django.core.management import CommandError, call_command

from cases.models import Detainer
from cases.services.backup import table_checksums

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_backup_then_restore_gives_back_every_row(tmp_path):
    call_command("load_sample_data")
    before = table_checksums()
    assert before["cases_detainer"][0] == 7
    path = tmp_path / "site.backup"
    call_command("backup", str(path))
    assert path.stat().st_size > 0
    # Damage the data, then restore.
    Detainer.objects.filter(case_id="fy2018-q2-01").update(agency_response="changed after the backup")
    assert table_checksums() != before
    call_command("restore", str(path), "--yes")
    after = table_checksums()
    assert {t: c for t, (c, _) in after.items()} == {t: c for t, (c, _) in before.items()}
    assert after == before


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    before = table_checksums()
    with pytest.raises(CommandError, match="is not"):
        call_command("restore", str(bogus), "--yes")
    assert table_checksums() == before
