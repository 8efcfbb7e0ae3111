from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "showroom.targets"
    verbose_name = _("Targets and forecast")

    def ready(self) -> None:
        from showroom.kpi import hooks
        from showroom.targets import hooks as targets

        hooks.delivery_targets.register(targets.delivery_targets)
        hooks.consultant_targets.register(targets.board_targets)
        hooks.dashboard_panels.register(targets.progress_panel)
