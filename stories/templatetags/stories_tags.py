from django import template

from stories.models import Story

register = template.Library()


@register.filter
def redact(text: str, story: Story) -> str:
    """Text of a story as readers may see it: protected names replaced.

    Use on every story text that reaches the public: title, dek, body, captions,
    alt text, outcome and assistance descriptions.
    """
    if not text:
        return text
    return story.redact(str(text))


@register.filter
def public_name_in(person, story: Story) -> str:
    """A person's name as readers of this story may see it: protected by the
    story's date as well as today's (a boy of 13 in 2019 stays protected on the
    2019 story's page), then the story's own redaction."""
    if person is None:
        return ""
    return story.disclosure_of(person).name
