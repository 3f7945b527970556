from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "recupera.core"
    label = "core"
    verbose_name = "Núcleo"

    def ready(self) -> None:
        from recupera.core import predicates  # noqa: F401  (registers the rules)
        from recupera.core.i18n import install_gettext_memo
        from recupera.core.roles import grant_it_admin_catalog_perms

        post_migrate.connect(grant_it_admin_catalog_perms, sender=self)
        from axes.signals import user_locked_out

        from recupera.core.accounts import on_user_locked_out

        user_locked_out.connect(on_user_locked_out, dispatch_uid="recupera_lockout_record")
        from django.contrib.auth.signals import user_logged_in

        from recupera.core.security import stamp_activity

        user_logged_in.connect(stamp_activity, dispatch_uid="recupera_stamp_activity")
        from recupera.core.accounts import mark_forced_password_change

        # A password someone else set is changed by its holder at the next sign-in.
        user_logged_in.connect(mark_forced_password_change,
                               dispatch_uid="recupera_forced_password_change")
        install_gettext_memo()
        from recupera.core.axes_admin import install as keep_sign_in_records

        keep_sign_in_records()
