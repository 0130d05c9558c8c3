"""How Editorial names a person, on every page, list and email: the one rule."""


def name_of(first_name: str, last_name: str, username: str) -> str:
    """Full name, or the username of someone who has none (as ``get_full_name`` spells it)."""
    return f"{first_name} {last_name}".strip() or username


def display_name(user) -> str:
    """The name of ``user`` as people read it."""
    return name_of(user.first_name, user.last_name, user.get_username())
