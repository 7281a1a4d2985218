"""Import one report's cases from a CSV or XLSX file: the admin's import, from the shell.

manage.py import_report cases.csv --report fy2018-q2 --dry-run
manage.py import_report cases.csv --report fy2018-q2 --create-agency TX2270000 --user alice
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cases.models import Report
from cases.services import import_report


class Command(BaseCommand):
    help = "Check a report's CSV/XLSX file and import it in one transaction (or preview it with --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .csv or .xlsx file: one row per case.")
        parser.add_argument("--report", required=True, help="Slug of the report the cases belong to, e.g. fy2018-q2.")
        parser.add_argument("--dry-run", action="store_true", help="Show the preview and write nothing.")
        parser.add_argument(
            "--create-agency",
            action="append",
            default=[],
            metavar="KEY",
            help="Create this unknown agency (its ORI, or 'Name (ST)' as the preview shows it). Repeatable.",
        )
        parser.add_argument(
            "--map-agency",
            action="append",
            default=[],
            metavar="KEY=AGENCY",
            help="Use an existing agency (id, ORI or slug, in the same state) for an unknown one. Repeatable.",
        )
        parser.add_argument("--user", help="Username recorded in the history as having made the import.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        report = Report.objects.filter(slug=options["report"]).first()
        if report is None:
            raise CommandError(f"No report has the slug “{options['report']}”. Create the report in the admin first.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user is called “{options['user']}”.")
        decisions = dict.fromkeys(options["create_agency"], "create")
        for item in options["map_agency"]:
            key, sep, target = item.rpartition("=")
            if not sep or not key:
                raise CommandError(f"--map-agency needs KEY=AGENCY, not “{item}”.")
            decisions[key] = target
        content = path.read_bytes()

        if options["dry_run"]:
            result = import_report.preview(report, path.name, content, decisions)
            self.stdout.write(result.as_text())
            if not result.is_ready:
                raise CommandError(_refusal(result))
            self.stdout.write(self.style.SUCCESS("Dry run: the file is ready to import. Nothing was written."))
            return
        try:
            result = import_report.import_file(report, path.name, content, user=user, agency_decisions=decisions)
        except import_report.ImportRefused as refused:
            self.stdout.write(refused.preview.as_text())
            raise CommandError(str(refused)) from None
        self.stdout.write(result.as_text())
        counts = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged."
            )
        )


def _refusal(result):
    if result.file_error:
        return "The file cannot be imported."
    if result.errors:
        return f"{len(result.errors)} error(s); nothing would be imported."
    keys = ", ".join(u.key for u in result.undecided_agencies)
    return f"Unknown agencies need --create-agency or --map-agency: {keys}"
