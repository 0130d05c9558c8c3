"""Every write that services make carries its actor and its reason into history
(docs/invariants.md#i3-audit)."""

import os
import sys

from django.db import models
from simple_history.models import HistoricalRecords

SYSTEM_PREFIX = "System process"


def tracked_history(**options) -> HistoricalRecords:
    """The audit trail every tracked model uses.

    The change reason is a text column, so a reviewer's comment or an editor's note of any
    length is kept whole (a 100-character column failed on PostgreSQL).
    """
    return HistoricalRecords(history_change_reason_field=models.TextField(null=True), **options)


def current_process() -> str:
    """What is running: ``manage.py seed_demo``, ``celery worker``, ``gunicorn``…"""
    path = sys.argv[0] if sys.argv and sys.argv[0] else "python"
    program = os.path.basename(path)
    if program == "__main__.py":  # python -m <module>
        program = os.path.basename(os.path.dirname(path))
    if program in ("manage.py", "django-admin", "celery") and len(sys.argv) > 1:
        arguments = [argument for argument in sys.argv[1:] if not argument.startswith("-")]
        if program == "celery":
            arguments = [argument for argument in arguments if argument != "editorial"]
        return " ".join([program, *arguments[:1]])
    return program


def attributed_reason(actor, reason: str) -> str:
    """The reason as recorded: a row no person wrote names the process that wrote it (I3)."""
    if actor is not None or reason.startswith(SYSTEM_PREFIX):
        return reason
    return f"{SYSTEM_PREFIX} “{current_process()}”: {reason}"


def save_with_history(instance, *, actor, reason: str, **save_kwargs):
    """Save ``instance`` so that its history row names who did it and why."""
    instance._history_user = actor
    instance._change_reason = attributed_reason(actor, reason)
    instance.save(**save_kwargs)
    return instance


def delete_with_history(instance, *, actor, reason: str):
    instance._history_user = actor
    instance._change_reason = attributed_reason(actor, reason)
    instance.delete()


def records_naming(user) -> list[str]:
    """Where ``user`` is on record as having acted: names of the kinds of rows that point at
    them (history rows, assignments, decisions, admin log entries…). Empty for someone who
    never did anything, who may be deleted without losing attribution (I3)."""
    found = []
    for relation in user._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue
        if relation.related_model._meta.auto_created:
            continue  # the group and permission tables of the user itself
        rows = relation.related_model._base_manager.filter(**{relation.field.name: user})
        if rows.exists():
            found.append(str(relation.related_model._meta.verbose_name_plural))
    return sorted(set(found))


def refuse_to_erase_attribution(sender, instance, **kwargs) -> None:
    """``pre_delete`` receiver for users: deleting someone who acted would blank their name
    on the history and cascade their admin log away, whatever deleted them (shell included)."""
    from django.db.models import ProtectedError

    records = records_naming(instance)
    if records:
        raise ProtectedError(
            f"{instance} acted in Editorial ({', '.join(records)}): deactivate them instead.",
            set(),
        )
