from django.core.management.base import BaseCommand

from cases.models import Detainer
from cases.services import sample


class Command(BaseCommand):
    help = "Load the sample data set (real records from press coverage). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already holds any detainer."
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Detainer.objects.exists():
            self.stdout.write("The database already holds data; sample data not loaded.")
            return
        created = sample.load()
        self.stdout.write(self.style.SUCCESS(f"Sample data loaded: {created} new case(s)."))
