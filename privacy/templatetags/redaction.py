"""The privacy rules as template filters: every text of a story or program a
template shows goes through one of these."""

from django import template

from privacy import rules

register = template.Library()


@register.filter
def redact(text: str, story) -> str:
    """Text of a story as readers may see it: protected names replaced.

    Use on every story text that reaches the public: title, dek, body, captions,
    alt text, outcome and assistance descriptions.
    """
    if not text:
        return text
    return story.redact(str(text))


@register.filter
def public_name_in(person, story) -> str:
    """A person's name as readers of this story may see it: protected by the
    story's date as well as today's (a boy of 13 in 2019 stays protected on the
    2019 story's page), then the story's own redaction."""
    if person is None:
        return ""
    return story.disclosure_of(person).name


@register.filter
def redact_people(text) -> str:
    """Text that belongs to no one story (a program's title, summary or body) as
    readers may see it: every name any story protects is replaced here too.

    {{ program.body|redact_people|linebreaks }}
    """
    return rules.redact_people(text)
