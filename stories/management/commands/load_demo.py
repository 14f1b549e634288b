"""Load the demo content (stories/demo.py) into the database.

Idempotent: rows are matched on natural keys and saved only when a value
differs, so a second run writes nothing and `updated_at` stays as it was.
Child rows of demo programs and stories (figures, photos, assistance, outcomes,
story people) that are no longer in the demo data are removed.
"""

from collections import Counter

from django.core.management.base import BaseCommand
from django.db import models, transaction

from privacy.models import Consent
from privacy.services import mark_live_as_reviewed
from programs.models import Figure, Program, ProgramPhoto, Region
from stories import demo
from stories.models import (
    Assistance,
    Cause,
    Household,
    Outcome,
    Person,
    Story,
    StoryPerson,
    StoryPhoto,
)

CREATED, UPDATED, UNCHANGED, DELETED = "新建", "更新", "未变", "删除"


def quantity(data: dict) -> dict:
    """The Quantity fields of a demo dict ("after" is qualifier_after_magnitude)."""
    return {
        "value": data["value"],
        "unit": data.get("unit", ""),
        "qualifier": data.get("qualifier", "exact"),
        "qualifier_after_magnitude": data.get("after", False),
    }


def paragraphs(body: list[str] | str) -> str:
    return body if isinstance(body, str) else "\n\n".join(body)


class DemoLoader:
    def __init__(self):
        self.stats: dict[str, Counter] = {}
        self.regions: dict[str, Region] = {}
        self.causes: dict[str, Cause] = {}
        self.programs: dict[str, Program] = {}
        self.households: dict[str, Household] = {}
        self.people: dict[str, Person] = {}

    # -- bookkeeping ---------------------------------------------------------

    def count(self, model, outcome: str, n: int = 1) -> None:
        """Tally one row (a model) or one link set (a label) by outcome."""
        label = model if isinstance(model, str) else str(model._meta.verbose_name)
        self.stats.setdefault(label, Counter())[outcome] += n

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.stats.values())

    # -- the one write path --------------------------------------------------

    def sync(self, model, lookup: dict, values: dict, exclude=()):
        """Like update_or_create, but saves only when something differs."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean(exclude=exclude)
            obj.save()
            self.count(model, CREATED)
            return obj
        changed = False
        for name, value in values.items():
            field = model._meta.get_field(name)
            if field.many_to_one:
                current = getattr(obj, field.attname)
                new = value.pk if value is not None else None
            else:
                current, new = getattr(obj, name), field.to_python(value)
            if current != new:
                setattr(obj, name, value)
                changed = True
        if changed:
            obj.full_clean(exclude=exclude)
            obj.save()
        self.count(model, UPDATED if changed else UNCHANGED)
        return obj

    def prune(self, queryset, keep: list[models.Model]) -> None:
        """Delete a demo parent's child rows that the demo data no longer has."""
        stale = queryset.exclude(pk__in=[obj.pk for obj in keep])
        n = stale.count()
        if n:
            stale.delete()
            self.count(queryset.model, DELETED, n)

    def sync_m2m(self, manager, wanted: list[models.Model], label: str) -> None:
        """Set a many-to-many relation only when its members differ."""
        current = set(manager.values_list("pk", flat=True))
        wanted_pks = {obj.pk for obj in wanted}
        if not current and wanted_pks:
            manager.set(wanted)
            self.count(label, CREATED)
        elif current != wanted_pks:
            manager.set(wanted)
            self.count(label, UPDATED)
        else:
            self.count(label, UNCHANGED)

    # -- loading -------------------------------------------------------------

    def load(self) -> None:
        self.load_regions()
        self.load_causes()
        self.load_programs()
        self.load_people()
        self.load_consents()
        self.load_stories()
        # Published by the loader, not by a reviewer: as loaded is as reviewed.
        mark_live_as_reviewed(
            Story.objects.filter(
                slug__in=[data["slug"] for data in demo.STORIES],
                status=Story.Status.PUBLISHED,
            )
        )

    def load_regions(self) -> None:
        for data in demo.REGIONS:
            parent = self.regions[data["parent"]] if data.get("parent") else None
            values = {
                "name": data["name"],
                "level": Region.Level[data["level"]],
                "parent": parent,
            }
            if data["code"]:
                lookup = {"code": data["code"]}
            else:
                lookup = {"parent": parent, "name": data["name"], "code": ""}
                values = {"level": values["level"]}
            # The slug is derived in save(), so it is not validated beforehand.
            self.regions[data["key"]] = self.sync(
                Region, lookup, values, exclude=["slug"]
            )

    def load_causes(self) -> None:
        # Another migration may own these rows: create when missing, never update.
        for data in demo.CAUSES:
            cause = (
                Cause.objects.filter(slug=data["slug"]).first()
                or Cause.objects.filter(name=data["name"]).first()
            )
            if cause is None:
                cause = Cause.objects.create(**data)
                self.count(Cause, CREATED)
            else:
                self.count(Cause, UNCHANGED)
            self.causes[data["slug"]] = cause

    def load_programs(self) -> None:
        for data in demo.PROGRAMS:
            parent = self.programs[data["parent"]] if data.get("parent") else None
            program = self.sync(
                Program,
                {"slug": data["slug"]},
                {
                    "title": data["title"],
                    "region": self.regions[data["region"]],
                    "category": data["category"],
                    "parent": parent,
                    "summary": data["summary"],
                    "body": paragraphs(data.get("body", "")),
                    "start_year": data.get("start_year"),
                    "end_year": data.get("end_year"),
                    "lead_organisation": data.get("lead_organisation", ""),
                    "source_publication": demo.SOURCE_PUBLICATION,
                    "source_byline": data.get("source_byline", ""),
                    "source_date": None,
                    "status": Program.Status.PUBLISHED,
                    "published_at": demo.PUBLISHED_AT,
                    "is_featured": data.get("is_featured", False),
                },
            )
            self.programs[data["slug"]] = program
            self.load_figures(program, data.get("figures", []))
            self.load_program_photos(program, data.get("photos", []))

    def load_figures(self, program: Program, figures: list[dict]) -> None:
        kept = []
        for order, data in enumerate(figures):
            kept.append(
                self.sync(
                    Figure,
                    {
                        "program": program,
                        "indicator": data["indicator"],
                        "year": data.get("year"),
                        "period_label": data.get("period_label", ""),
                    },
                    {
                        **quantity(data),
                        "as_of": data.get("as_of"),
                        "is_headline": data.get("is_headline", False),
                        "source_note": data.get("source_note", ""),
                        "order": order,
                    },
                )
            )
        self.prune(program.figures.all(), kept)

    def load_program_photos(self, program: Program, photos: list[dict]) -> None:
        kept = [
            self.sync(
                ProgramPhoto,
                {"program": program, "order": order},
                {
                    "caption": data["caption"],
                    "credit": data["credit"],
                    "alt_text": data["alt_text"],
                },
            )
            for order, data in enumerate(photos)
        ]
        self.prune(program.photos.all(), kept)

    def load_people(self) -> None:
        for data in demo.HOUSEHOLDS:
            region = self.regions[data["region"]]
            self.households[data["key"]] = self.sync(
                Household,
                {"name": data["name"], "region": region},
                {"size": data.get("size")},
            )
        for data in demo.PEOPLE:
            household = self.households.get(data.get("household"))
            self.people[data["key"]] = self.sync(
                Person,
                {"real_name": data["real_name"], "household": household},
                {
                    "gender": data.get("gender", ""),
                    "birth_year": data.get("birth_year"),
                    "age": data.get("age"),
                    "age_as_of": data.get("age_as_of"),
                    "household_role": data.get("household_role", ""),
                    "description": data.get("description", ""),
                },
            )

    def load_consents(self) -> None:
        for data in demo.CONSENTS:
            values = {k: v for k, v in data.items() if k not in {"person", "given_on"}}
            self.sync(
                Consent,
                {"person": self.people[data["person"]], "given_on": data["given_on"]},
                {
                    "guardian_name": "",
                    "guardian_relationship": "",
                    "covers_real_name": False,
                    "covers_photo": False,
                    "covers_health": False,
                    "covers_financial": False,
                    **values,
                },
                exclude=["document"],
            )

    def load_stories(self) -> None:
        for data in demo.STORIES:
            story = self.sync(
                Story,
                {"slug": data["slug"]},
                {
                    "title": data["title"],
                    "dek": data["dek"],
                    "body": paragraphs(data["body"]),
                    "byline": data.get("byline", ""),
                    "region": self.regions[data["region"]],
                    "outcome": data.get("outcome", ""),
                    "source_publication": demo.SOURCE_PUBLICATION,
                    "source_date": None,
                    "status": Story.Status.PUBLISHED,
                    "published_at": demo.PUBLISHED_AT,
                    "is_featured": data.get("is_featured", False),
                },
            )
            programs = [self.programs[slug] for slug in data.get("programs", [])]
            causes = [self.causes[slug] for slug in data.get("causes", [])]
            self.sync_m2m(story.programs, programs, "故事的相关项目")
            self.sync_m2m(story.causes, causes, "故事的致贫原因")
            self.load_story_people(story, data.get("people", []))
            self.load_assistance(story, data.get("assistance", []))
            self.load_outcomes(story, data.get("outcomes", []))
            self.load_story_photos(story, data.get("photos", []))

    def load_story_people(self, story: Story, people: list[dict]) -> None:
        kept = [
            self.sync(
                StoryPerson,
                {"story": story, "person": self.people[data["person"]]},
                {"role": data.get("role", ""), "order": order},
            )
            for order, data in enumerate(people)
        ]
        self.prune(StoryPerson.objects.filter(story=story), kept)

    def load_assistance(self, story: Story, lines: list[dict]) -> None:
        kept = [
            self.sync(
                Assistance,
                {"story": story, "order": order},
                {
                    **quantity(data),
                    "measure": data["measure"],
                    "description": data.get("description", ""),
                    "provider": data.get("provider", ""),
                    "provider_type": data.get("provider_type", "government"),
                    "recipient": self.people.get(data.get("recipient")),
                    "covers_people": data.get("covers_people"),
                    "period": data.get("period", "once"),
                    "year": data.get("year"),
                },
            )
            for order, data in enumerate(lines)
        ]
        self.prune(story.assistance.all(), kept)

    def load_outcomes(self, story: Story, lines: list[dict]) -> None:
        kept = [
            self.sync(
                Outcome,
                {"story": story, "order": order},
                {
                    **quantity(data),
                    "person": self.people.get(data.get("person")),
                    "description": data["description"],
                    "period_label": data.get("period_label", ""),
                },
            )
            for order, data in enumerate(lines)
        ]
        self.prune(story.outcomes.all(), kept)

    def load_story_photos(self, story: Story, photos: list[dict]) -> None:
        kept = [
            self.sync(
                StoryPhoto,
                {"story": story, "order": order},
                {
                    "caption": data["caption"],
                    "credit": data["credit"],
                    "alt_text": data["alt_text"],
                },
            )
            for order, data in enumerate(photos)
        ]
        self.prune(story.photos.all(), kept)


class Command(BaseCommand):
    help = (
        "载入演示数据（2019年11月报纸扶贫专版的四篇报道）。"
        "可重复运行：数据已是最新时不做任何修改。"
    )

    def handle(self, *args, **options):
        loader = DemoLoader()
        with transaction.atomic():
            loader.load()
        if options["verbosity"] < 1:
            return
        self.stdout.write("演示数据载入完成（来源：" + demo.SOURCE_PUBLICATION + "）")
        for label, counter in loader.stats.items():
            parts = [
                f"{word} {counter[word]}"
                for word in (CREATED, UPDATED, DELETED, UNCHANGED)
                if counter[word]
            ]
            self.stdout.write(f"  {label}：" + "，".join(parts))
        changes = loader.total(CREATED) + loader.total(UPDATED) + loader.total(DELETED)
        summary = (
            f"合计：新建 {loader.total(CREATED)}，更新 {loader.total(UPDATED)}，"
            f"删除 {loader.total(DELETED)}，未变 {loader.total(UNCHANGED)}。"
        )
        if not changes:
            summary += "数据已是最新，本次没有修改任何内容。"
        self.stdout.write(self.style.SUCCESS(summary))
