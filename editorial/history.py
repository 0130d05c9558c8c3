"""Every write that services make carries its actor and its reason into history (DESIGN §3 I3)."""


def save_with_history(instance, *, actor, reason: str, **save_kwargs):
    """Save ``instance`` so that its history row names who did it and why."""
    instance._history_user = actor
    instance._change_reason = reason
    instance.save(**save_kwargs)
    return instance


def delete_with_history(instance, *, actor, reason: str):
    instance._history_user = actor
    instance._change_reason = reason
    instance.delete()
