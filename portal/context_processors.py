from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def languages(request):
    """This page in every interface language: the switch in the header and the
    hreflang alternates search engines read."""
    current = get_language()
    path = request.get_full_path()
    alternates = [
        {
            "code": code,
            "name": name,
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    if len({alt["url"] for alt in alternates}) < len(alternates):
        # Not a reader page (preview, admin, an unknown address): it has no
        # version in another language.
        alternates = []
    return {"language_alternates": alternates}
