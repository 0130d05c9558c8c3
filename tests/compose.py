"""docker-compose.yml as its containers see it when neither the shell nor .env sets anything, so
that tests can run the app (and its edge) the way Compose does."""

import re

import yaml
from django.conf import settings

COMPOSE = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())


def _interpolated(value) -> str:
    """``${NAME:-default}`` becomes the default; a required ``${NAME:?…}`` or ``${NAME}`` becomes
    empty (the tests supply what they need, such as SECRET_KEY)."""
    return re.sub(
        r"\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}",
        lambda match: match.group(2) or "",
        str(value),
    )


def service_environment(service: str) -> dict[str, str]:
    """The environment Compose gives ``service``'s container."""
    environment = COMPOSE["services"][service].get("environment", {})
    return {name: _interpolated(value) for name, value in environment.items()}
