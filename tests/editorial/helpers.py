"""Shared helpers for the editorial workflow tests: admin URLs, and the POST data
a browser would send back from an admin change form as it was rendered."""

from django import forms
from django.urls import reverse

from programs.abstract import Publishable
from stories.models import Story

Status = Publishable.Status


def admin_url(model_or_obj, view: str, *args) -> str:
    opts = model_or_obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def transition_url(obj, name: str) -> str:
    return admin_url(obj, "transition", obj.pk, name)


def _widget(field):
    widget = field.widget
    # The admin wraps related widgets to add its "+" and pencil links.
    return getattr(widget, "widget", widget) if hasattr(widget, "rel") else widget


def form_data(form) -> dict:
    """What the browser would post back for `form`, untouched."""
    data = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        widget = _widget(field)
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for i, part in enumerate(parts):
                data[f"{key}_{i}"] = "" if part is None else str(part)
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[key] = [str(getattr(v, "pk", v)) for v in value or []]
        elif value is None:
            data[key] = ""
        else:
            data[key] = str(getattr(value, "pk", value))
    return data


def change_form_data(response, **overrides) -> dict:
    """The POST data of an admin change (or add/recover) page, with its inlines'
    existing lines and none of the empty extra ones, then `overrides` applied."""
    context = response.context
    data = form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        initial = formset.initial_form_count()
        management = form_data(formset.management_form)
        management[f"{formset.prefix}-TOTAL_FORMS"] = str(initial)
        data.update(management)
        for form in formset.forms[:initial]:
            data.update(form_data(form))
    data.update(overrides)
    return data


def form_errors(response) -> str:
    """Why an admin form was not saved, for assertion messages."""
    context = getattr(response, "context", None)
    if not context or "adminform" not in context:
        return f"status {response.status_code}"
    errors = [context["adminform"].form.errors]
    errors += [i.formset.errors for i in context["inline_admin_formsets"]]
    errors += [i.formset.non_form_errors() for i in context["inline_admin_formsets"]]
    return repr(errors)


def add_line(data: dict, prefix: str, **fields) -> dict:
    """Append one new inline line (e.g. prefix "assistance") to form data."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data.update({f"{prefix}-{index}-{name}": value for name, value in fields.items()})
    return data


def line_index(data: dict, prefix: str, field: str, value) -> int:
    """The index of the existing inline line whose `field` posts `value`."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for index in range(total):
        if data.get(f"{prefix}-{index}-{field}") == str(value):
            return index
    raise LookupError(f"no {prefix} line with {field}={value!r}")


FIRST_BODY = "黄阿姨家的三个孩子都在上学。\n\n村里帮她找到了工作。"


def line(**fields) -> dict:
    return {
        "measure": "education_aid",
        "description": "",
        "provider": "",
        "provider_type": "government",
        "recipient": "",
        "covers_people": "",
        "value": "1500",
        "qualifier": "exact",
        "unit": "元",
        "period": "once",
        "year": "",
        "order": "0",
        **fields,
    }


def create_story(client, region) -> Story:
    """A story created in the admin by the logged-in user, with one assistance
    line of 1500元 (秋季学期助学金): it has a first version."""
    page = client.get(admin_url(Story, "add"))
    data = change_form_data(
        page,
        title="黄阿姨的新学期",
        dek="导语",
        body=FIRST_BODY,
        region=str(region.pk),
    )
    add_line(data, "assistance", **line(description="秋季学期助学金"))
    response = client.post(admin_url(Story, "add"), data)
    assert response.status_code == 302, form_errors(response)
    return Story.objects.get(title="黄阿姨的新学期")
