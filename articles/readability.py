"""Reading grade of wordings (docs/workflows.md#the-back-office): Flesch–Kincaid, from textstat,
with the board's limits.

textstat counts English syllables with NLTK's CMU dictionary, which it downloads on first use; a
server without internet access cannot. The language code ``en-US`` (with a hyphen) selects the
same Flesch–Kincaid formula with pyphen's bundled US English hyphenation dictionary instead.
"""

from dataclasses import dataclass

from textstat.textstat import textstatistics

from .choices import ReadingLevel

GRADE_LIMITS = {ReadingLevel.PATIENT: 8, ReadingLevel.STUDENT: 12}
MIN_WORDS = 10
"""Below this many words a reading grade says nothing about the text
(docs/workflows.md#the-back-office)."""
_AUDIENCES = {ReadingLevel.PATIENT: "patients and caregivers", ReadingLevel.STUDENT: "students"}

_textstat = textstatistics()
_textstat.set_lang("en-US")


@dataclass(frozen=True)
class Readability:
    level: str
    grade: float
    limit: int | None
    words: int = MIN_WORDS

    @property
    def shown(self) -> bool:
        """Whether the grade means something: the wording has at least ``MIN_WORDS`` words."""
        return self.words >= MIN_WORDS

    @property
    def too_hard(self) -> bool:
        return self.shown and self.limit is not None and self.grade > self.limit

    @property
    def warning(self) -> str:
        if not self.too_hard:
            return ""
        audience = _AUDIENCES[self.level]
        return f"Reads at grade {self.grade:.1f}, above grade {self.limit} for {audience}."


def reading_grade(text: str) -> float:
    """The Flesch–Kincaid grade of ``text`` (0 for empty text)."""
    if not (text or "").strip():
        return 0.0
    return round(float(_textstat.flesch_kincaid_grade(text)), 1)


def readability(*, level: str, text: str) -> Readability:
    return Readability(
        level=level,
        grade=reading_grade(text),
        limit=GRADE_LIMITS.get(level),
        words=len((text or "").split()),
    )
