from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from editorial.preview import read_token


def preview_view(label: str):
    from programs.views import ProgramPreviewView
    from stories.views import StoryPreviewView

    views = {"stories.story": StoryPreviewView, "programs.program": ProgramPreviewView}
    if label not in views:
        raise Http404
    return views[label].as_view()


def no_index(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@staff_member_required
def preview(request, app_label: str, model_name: str, pk: int):
    """Staff see an unpublished item exactly as readers will."""
    if not request.user.has_perm(f"{app_label}.view_{model_name}"):
        raise PermissionDenied
    return no_index(preview_view(f"{app_label}.{model_name}")(request, pk=pk))


@never_cache
def shared_preview(request, token: str):
    """Anyone with a valid signed link sees the item, without logging in."""
    try:
        obj = read_token(token)
    except signing.SignatureExpired:
        return invalid(request, _("这个预览链接已经过期。请向编辑索取新的链接。"), 410)
    except (signing.BadSignature, ObjectDoesNotExist, LookupError, KeyError, TypeError):
        return invalid(
            request, _("这个预览链接无效：可能复制不完整，或内容已被删除。"), 404
        )
    return no_index(preview_view(obj._meta.label_lower)(request, pk=obj.pk))


def invalid(request, message: str, status: int):
    return no_index(
        render(
            request,
            "editorial/preview_invalid.html",
            {"message": message},
            status=status,
        )
    )
