from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from showroom.core.assets import ensure_assets


class Command(BaseCommand):
    @property  # a property, so that the help is translated when it is shown
    def help(self) -> str:  # type: ignore[override]
        return _("Install the front-end packages (ECharts) into the local assets folder.")

    def handle(self, *args: object, **options: object) -> None:
        for path in ensure_assets(verbose=True):
            self.stdout.write(str(path))
