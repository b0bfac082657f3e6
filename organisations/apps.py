from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations and areas")

    def ready(self):
        from .roles import assign_role_permissions_after_migrate

        post_migrate.connect(
            assign_role_permissions_after_migrate,
            sender=self,
            dispatch_uid="organisations.assign_role_permissions",
        )
