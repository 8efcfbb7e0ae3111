from django.core.management.base import BaseCommand

from showroom.core.assets import ensure_assets


class Command(BaseCommand):
    help = "Install the front-end packages (ECharts) into the local assets folder."

    def handle(self, *args: object, **options: object) -> None:
        for path in ensure_assets(verbose=True):
            self.stdout.write(str(path))
