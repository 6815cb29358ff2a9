from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = "Programmes and courses"

    def ready(self) -> None:
        # Register the jobs services send by name (core.jobs); nothing else imports the tasks.
        from . import tasks  # noqa: F401
