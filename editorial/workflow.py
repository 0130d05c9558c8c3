"""Glue between django-fsm-2 transitions and Editorial's refusals.

Conditions and permissions stay on the model's transitions; this module only asks them, in
order, and turns the first failure into an ``EditorialError`` that says which rule failed.
"""

from collections.abc import Callable

from django_fsm import TransitionNotAllowed

from editorial.exceptions import EditorialError, EditorialPermissionDenied


def condition(refusal: str) -> Callable:
    """Mark a transition condition with the sentence shown when it fails.

    The sentence may use ``{obj}`` for the object and any attribute named by the predicate's
    ``refusal_detail(obj)`` through ``{detail}``.
    """

    def mark(predicate: Callable) -> Callable:
        predicate.refusal = refusal
        return predicate

    return mark


def permission(refusal: Callable) -> Callable:
    """Mark a permission ``(obj, user) -> bool`` with its refusal ``(obj, user) -> str``."""

    def mark(check: Callable) -> Callable:
        check.refusal = refusal
        return check

    return mark


def transition_label(method) -> str:
    meta = method._django_fsm
    for transition in meta.transitions.values():
        return transition.custom.get("label") or transition.name.replace("_", " ")
    return method.__name__.replace("_", " ")


def check_transition(instance, method_name: str, user) -> None:
    """Raise ``EditorialError`` naming the first rule that forbids ``user`` this transition now."""
    method = getattr(instance, method_name)
    meta = method._django_fsm
    state = meta.field.get_state(instance)
    transition = meta.get_transition(state)
    label = transition_label(method)
    if transition is None:
        status = dict(meta.field.choices).get(state, state)
        raise EditorialError(f"Cannot {str(label).lower()} {instance}: it is {status}.")
    for predicate in transition.conditions:
        if not predicate(instance):
            refusal = getattr(predicate, "refusal", f"A condition of “{label}” is not met.")
            detail = getattr(instance, f"{predicate.__name__}_detail", lambda: "")()
            raise EditorialError(refusal.format(obj=instance, detail=detail))
    if user is not None and not transition.has_perm(instance, user):
        explain = getattr(transition.permission, "refusal", None)
        message = (
            explain(instance, user)
            if callable(explain)
            else f"You do not have permission to {label} {instance}."
        )
        raise EditorialPermissionDenied(message)


def run_transition(instance, method_name: str, user, *args, **kwargs):
    """Check every rule of the transition for ``user``, then perform it in memory."""
    check_transition(instance, method_name, user)
    try:
        return getattr(instance, method_name)(*args, **kwargs)
    except TransitionNotAllowed as exc:
        raise EditorialError(str(exc)) from exc
