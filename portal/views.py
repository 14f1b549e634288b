from django.shortcuts import render

from programs.models import Figure, Program
from stories.models import Story


def home(request):
    stories = Story.objects.published().for_listing()
    return render(
        request,
        "home.html",
        {
            "featured_stories": stories.filter(is_featured=True)[:3],
            "latest_stories": stories.filter(is_featured=False)[:6],
            "headline_figures": Figure.objects.filter(
                is_headline=True, program__in=Program.objects.published()
            ).select_related("program", "program__region")[:6],
            "featured_programs": Program.objects.published()
            .filter(is_featured=True)
            .select_related("region__parent")[:4],
        },
    )
