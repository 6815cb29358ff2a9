from .roles import COORDINATOR, PROJECT_TEAM, TRAINER, role_names


def roles(request):
    names = role_names(getattr(request, "user", None))
    return {
        "user_roles": sorted(names),
        "is_project_team": PROJECT_TEAM in names,
        "is_trainer": TRAINER in names,
        "is_coordinator": COORDINATOR in names,
    }
