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
