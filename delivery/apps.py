from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = "Running courses"

    def ready(self) -> None:
        # Register the jobs services send by name (core.jobs); nothing else imports the tasks.
        from . import tasks  # noqa: F401
