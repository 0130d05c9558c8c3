"""Word-level differences between two wordings, so a reviewer reads only what changed."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff_html(old: str, new: str) -> SafeString:
    """``new`` as HTML with removed words in ``<del>`` and added words in ``<ins>``."""
    old_tokens = _TOKEN.findall(old or "")
    new_tokens = _TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    parts = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        removed = "".join(old_tokens[old_start:old_end])
        added = "".join(new_tokens[new_start:new_end])
        if operation == "equal":
            parts.append(escape(added))
            continue
        if removed.strip():
            # Keep the removed words' spacing only when nothing replaces them.
            parts.append(_marked("del", "diff-removed", removed, keep_spacing=not added.strip()))
        if added.strip():
            parts.append(_marked("ins", "diff-added", added, keep_spacing=True))
        elif added:
            parts.append(escape(added))
    return mark_safe("".join(parts))  # every piece above is escaped


def _marked(tag: str, css_class: str, text: str, *, keep_spacing: bool) -> str:
    core = text.strip()
    lead = text[: len(text) - len(text.lstrip())] if keep_spacing else ""
    trail = text[len(text.rstrip()) :] if keep_spacing else ""
    return f'{escape(lead)}<{tag} class="{css_class}">{escape(core)}</{tag}>{escape(trail)}'


def changed_levels(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, SafeString]]:
    """``(level, diff)`` for each reading level whose wording differs between the two."""
    return [
        (level, word_diff_html(before.get(level, ""), after.get(level, "")))
        for level in sorted(set(before) | set(after))
        if before.get(level, "") != after.get(level, "")
    ]
