"""Glue between django-fsm-2 transitions and Editorial's refusals.

Conditions and permissions stay on the model's transitions; this module only asks them, through
django-fsm-2's public API (``get_all_<field>_transitions``, ``can_proceed``,
``has_transition_perm``), and turns the first failure into an ``EditorialError`` that says which
rule failed. Each condition carries its refusal sentence, attached where it is declared.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import wraps

from django_fsm import (
    FSMFieldMixin,
    Transition,
    TransitionNotAllowed,
    can_proceed,
    has_transition_perm,
)

from editorial.exceptions import EditorialError, EditorialPermissionDenied


@dataclass(frozen=True)
class Refusal:
    """What an editor reads when a condition fails: ``{obj}`` is the object, ``{detail}`` what
    ``detail(obj)`` says (for example the claims still open)."""

    sentence: str
    detail: Callable[[object], str] | None = None

    def for_object(self, obj) -> str:
        return self.sentence.format(obj=obj, detail=self.detail(obj) if self.detail else "")


_ANSWERS = "_editorial_condition_answers"
"""Where ``run_transition`` keeps, on the instance, the conditions answered during one call."""


def condition(refusal: str, *, detail: Callable[[object], str] | None = None) -> Callable:
    """Declare a transition condition together with the sentence shown when it fails.

    Within one ``run_transition`` the condition is answered once: checking the rules,
    django-fsm's own check of conditions in ``has_transition_perm`` and again when the
    transition runs all read the first answer (under the lock the service holds, the answer
    cannot change meanwhile).
    """

    def mark(predicate: Callable) -> Callable:
        @wraps(predicate)
        def answer(instance) -> bool:
            answers = getattr(instance, _ANSWERS, None)
            if answers is None:
                return predicate(instance)
            if predicate not in answers:
                answers[predicate] = predicate(instance)
            return answers[predicate]

        answer.refusal = Refusal(refusal, detail)
        return answer

    return mark


def permission(refusal: Callable) -> Callable:
    """Declare a permission ``(obj, user) -> bool`` with its refusal ``(obj, user) -> str``."""

    def mark(check: Callable) -> Callable:
        check.refusal = refusal
        return check

    return mark


def _state_fields(instance) -> Iterator[FSMFieldMixin]:
    return (field for field in instance._meta.fields if isinstance(field, FSMFieldMixin))


def declared_transition(instance, name: str) -> tuple[FSMFieldMixin, Transition | None]:
    """The state field of transition ``name`` and its transition from the current state."""
    for field in _state_fields(instance):
        transitions = [
            transition
            for transition in getattr(instance, f"get_all_{field.name}_transitions")()
            if transition.name == name
        ]
        if not transitions:
            continue
        state = getattr(instance, field.attname)
        for transition in transitions:
            if transition.source in (state, "*") or (
                transition.source == "+" and state != transition.target
            ):
                return field, transition
        return field, None
    raise ValueError(f"{type(instance).__name__} has no transition “{name}”.")


def transition_label(instance, name: str) -> str:
    """The button label of transition ``name`` (its ``custom["label"]``)."""
    field, _ = declared_transition(instance, name)
    for transition in getattr(instance, f"get_all_{field.name}_transitions")():
        if transition.name == name and transition.custom.get("label"):
            return str(transition.custom["label"])
    return name.replace("_", " ")


def check_transition(instance, name: str, user) -> None:
    """Raise ``EditorialError`` naming the first rule that forbids ``user`` this transition now."""
    method = getattr(instance, name)
    field, transition = declared_transition(instance, name)
    label = transition_label(instance, name)
    if transition is None or not can_proceed(method, check_conditions=False):
        state = getattr(instance, field.attname)
        status = dict(field.choices).get(state, state)
        raise EditorialError(f"Cannot {label.lower()} {instance}: it is {status}.")
    for predicate in transition.conditions:
        if not predicate(instance):
            refusal = getattr(predicate, "refusal", None)
            raise EditorialError(
                refusal.for_object(instance)
                if refusal
                else f"A condition of “{label}” is not met for {instance}."
            )
    if user is not None and not has_transition_perm(method, user):
        explain = getattr(transition.permission, "refusal", None)
        raise EditorialPermissionDenied(
            explain(instance, user)
            if callable(explain)
            else f"You do not have permission to {label.lower()} {instance}."
        )


def run_transition(instance, name: str, user, *args, **kwargs):
    """Check every rule of the transition for ``user``, then perform it in memory; each
    condition is answered once for the whole call (see ``condition``)."""
    setattr(instance, _ANSWERS, {})
    try:
        check_transition(instance, name, user)
        return getattr(instance, name)(*args, **kwargs)
    except TransitionNotAllowed as exc:
        raise EditorialError(str(exc)) from exc
    finally:
        delattr(instance, _ANSWERS)
