import time

from django.core.management.base import BaseCommand, CommandError

from cases.models import Detainer
from cases.services import synthetic


class Command(BaseCommand):
    help = (
        "Fill a separate benchmark database with clearly synthetic cases. "
        "Refuses to run against a database that holds real reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="How many cases to create.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--quarters", type=int, default=40)
        parser.add_argument("--agencies", type=int, default=2000)
        parser.add_argument(
            "--replace", action="store_true", help="Delete existing synthetic data first (never real data)."
        )

    def handle(self, *args, cases, seed, quarters, agencies, replace, **options):
        if cases < 1 or quarters < 1 or agencies < 1:
            raise CommandError("--cases, --quarters and --agencies must be positive.")
        try:
            synthetic.guard()
        except synthetic.RealDataPresent as error:
            raise CommandError(str(error)) from None
        if Detainer.objects.exists():
            if not replace:
                raise CommandError("The database already holds synthetic cases. Use --replace to start over.")
            synthetic.delete_synthetic()
        started = time.perf_counter()
        plan = synthetic.Plan(cases=cases, quarters=quarters, agencies=agencies, seed=seed)
        counts = synthetic.generate(plan, progress=lambda message: self.stderr.write(f"  {message}"))
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{value:,} {name}" for name, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Synthetic data written in {elapsed:.1f} s: {summary}."))
