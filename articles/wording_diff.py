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
            parts.append(f'<del class="diff-removed">{escape(removed)}</del>')
        if added.strip():
            parts.append(f'<ins class="diff-added">{escape(added)}</ins>')
        elif added:
            parts.append(escape(added))
    return mark_safe("".join(parts))  # every piece above is escaped


def changed_levels(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, SafeString]]:
    """``(level, diff)`` for each reading level whose wording differs between the two."""
    return [
        (level, word_diff_html(before.get(level, ""), after.get(level, "")))
        for level in sorted(set(before) | set(after))
        if before.get(level, "") != after.get(level, "")
    ]
