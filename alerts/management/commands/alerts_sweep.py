from django.core.management.base import BaseCommand

from alerts.tasks import sweep


class Command(BaseCommand):
    help = "Run the alerts sweep once, here: end timed ignores, evaluate facts, send due alerts."

    def handle(self, *args, **options):
        self.stdout.write(str(sweep.run()))
