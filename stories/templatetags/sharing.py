"""Template tags for what a page tells crawlers, feed readers and chat apps:
canonical address, share cards, JSON-LD and feed links (see portal/sharing.py)."""

from django import template
from django.utils.safestring import SafeString

from portal import sharing
from privacy.rules import redact_people
from stories.feeds import feed_title, feed_url, filters_label

register = template.Library()


def page_number(context) -> int:
    page = context.get("page_obj")
    return page.number if page is not None else 1


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page's one absolute address (a list's valid filters and page only)."""
    return sharing.canonical_url(
        context["request"], context.get("filters"), page_number(context)
    )


@register.inclusion_tag("includes/social_meta.html", takes_context=True)
def social_meta(context, title=None, description=None, story=None, program=None):
    """Open Graph and Twitter card tags: a story's or a program's card, or the
    page's title and description (the site's by default)."""
    request = context["request"]
    if story is not None:
        card = sharing.story_card(request, story)
    elif program is not None:
        card = sharing.program_card(request, program)
    else:
        card = sharing.ShareCard(
            title=title or sharing.SITE_NAME,
            description=description or sharing.SITE_DESCRIPTION,
            url=canonical_url(context),
        )
    return {"card": card}


@register.simple_tag(takes_context=True)
def story_json_ld(context, story) -> SafeString:
    return sharing.json_ld_script(sharing.story_json_ld(context["request"], story))


@register.simple_tag
def story_feed(filters=None, program=None, region=None) -> dict[str, str]:
    """The title and the RSS and Atom addresses of a list of stories: the
    story list's current filters, or one program's or one region's stories."""
    if filters is not None:
        query, label = sharing.filter_query(filters), filters_label(filters)
    elif program is not None:
        query, label = {"program": program.slug}, redact_people(program.title)
    elif region is not None:
        query, label = {"region": region.slug}, region.name
    else:
        query, label = {}, ""
    return {
        "title": feed_title(label),
        "rss": feed_url("stories:feed_rss", query),
        "atom": feed_url("stories:feed_atom", query),
    }


@register.inclusion_tag("includes/feed_alternates.html")
def story_feed_alternates(filters=None, program=None, region=None) -> dict:
    """<link rel="alternate"> tags for the page's <head>, for feed readers."""
    return {"feed": story_feed(filters, program, region)}


@register.inclusion_tag("includes/feed_links.html")
def story_feed_links(filters=None, program=None, region=None) -> dict:
    """Visible “订阅 RSS / Atom” links."""
    return {"feed": story_feed(filters, program, region)}
