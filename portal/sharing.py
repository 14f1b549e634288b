"""What a page tells crawlers, feed readers and chat apps about itself.

Canonical addresses, Open Graph and Twitter cards, JSON-LD and QR codes are
built here from the same redacted texts the page shows: a share card is a public
output like any other (see privacy/rules.py).
"""

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import segno
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from privacy.rules import redact_people

SITE_NAME = gettext_lazy("扶贫故事")
SITE_DESCRIPTION = gettext_lazy(
    "记录脱贫攻坚中的人物故事与扶贫项目：每一户人家得到了什么帮助，"
    "每一个项目带来了什么变化。"
)
# What Django's json_script escapes, so that no text can close the <script>.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
OG_LOCALES = {"zh-hans": "zh_CN", "en": "en_US"}
# Pixels per QR module: a version-4 code (an address of ~60 characters) is 328
# pixels square, sharp on a phone at the 160 CSS pixels the page shows it.
QR_SCALE = 8


def filter_query(form) -> dict[str, str]:
    """The valid, non-empty filters of a bound filter form, in the form's field
    order: the same list answers one address, whatever the order or the extra
    parameters of the one the reader came by."""
    if form is None or not form.is_bound:
        return {}
    form.is_valid()  # cleaned_data keeps the valid fields only
    query = {}
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value not in (None, ""):
            query[name] = str(field.prepare_value(value))
    return query


def canonical_url(request: HttpRequest, form=None, page: int = 1) -> str:
    """This page's one address: scheme, host and path, and for a list only its
    valid filters and page number, in a stable order."""
    query = filter_query(form)
    if page > 1:
        query["page"] = str(page)
    path = request.path + (f"?{urlencode(query)}" if query else "")
    return request.build_absolute_uri(path)


@dataclass
class ShareImage:
    url: str
    alt: str
    width: int | None = None
    height: int | None = None


@dataclass
class ShareCard:
    """A page as a link preview shows it (Open Graph, Twitter card)."""

    title: str
    description: str
    url: str
    type: str = "website"
    image: ShareImage | None = None
    published: datetime | None = None
    modified: datetime | None = None

    site_name = SITE_NAME

    @property
    def locale(self) -> str:
        return OG_LOCALES.get(get_language(), "zh_CN")

    @property
    def published_iso(self) -> str:
        return iso_time(self.published) if self.published else ""

    @property
    def modified_iso(self) -> str:
        return iso_time(self.modified) if self.modified else ""

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image else "summary"


def share_image(
    request: HttpRequest, photos: Iterable, redact: Callable[[str], str]
) -> ShareImage | None:
    """The first photo readers may see that has a file, as an absolute URL."""
    for photo in photos:
        image = photo.publishable_version()
        if not image:
            continue
        return ShareImage(
            url=request.build_absolute_uri(image.url),
            alt=redact(photo.alt_text),
            width=photo.public_width,
            height=photo.public_height,
        )
    return None


def story_card(request: HttpRequest, story) -> ShareCard:
    return ShareCard(
        title=story.redact(story.title),
        description=story.redact(story.dek),
        url=canonical_url(request),
        type="article",
        image=share_image(request, story.public_photos(), story.redact),
        published=story.published_at,
        modified=story.updated_at,
    )


def program_card(request: HttpRequest, program) -> ShareCard:
    summary = redact_people(program.summary)
    return ShareCard(
        title=redact_people(program.title),
        description=summary if len(summary) <= 150 else summary[:149] + "…",
        url=canonical_url(request),
        image=share_image(request, program.photos.all(), redact_people),
    )


def story_json_ld(request: HttpRequest, story) -> dict:
    """schema.org NewsArticle for a story, every text redacted as on the page."""
    card = story_card(request, story)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": card.title,
        "description": card.description,
        "mainEntityOfPage": card.url,
        "url": card.url,
        # The story is written in Chinese whatever the interface language.
        "inLanguage": "zh-Hans",
        "articleSection": _("人物故事"),
        "publisher": {"@type": "Organization", "name": str(card.site_name)},
    }
    if card.published:
        data["datePublished"] = card.published_iso
    if card.modified:
        data["dateModified"] = card.modified_iso
    if card.image:
        data["image"] = [card.image.url]
    if story.byline:
        data["author"] = {"@type": "Person", "name": story.redact(story.byline)}
    return data


def iso_time(moment: datetime) -> str:
    """2019-11-20T09:00:00+08:00: local time, as the page and its meta tags say."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def json_ld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> that no text inside can close."""
    text = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    # JSON_SCRIPT_ESCAPES turned <, > and & into \u escapes: nothing can close
    # the element or open another.
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text),  # nosec B308 B703
    )


def qr_png(url: str) -> bytes:
    """A QR code for an address, as PNG: WeChat's long-press "识别图中二维码"
    reads raster images only."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=QR_SCALE, border=4)
    return out.getvalue()
