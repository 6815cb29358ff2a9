from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        # Register the jobs services send by name (core.jobs); nothing else imports the tasks.
        from . import tasks  # noqa: F401
