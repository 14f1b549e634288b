from django.core.management.base import BaseCommand
from django.db import transaction

from search import indexing


class Command(BaseCommand):
    help = "重建站内搜索索引：所有故事和项目的公开文字重新分词写入。"

    def handle(self, *args, **options):
        with transaction.atomic():
            stories, programs = indexing.rebuild()
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"搜索索引已重建：人物故事 {stories} 篇，扶贫项目 {programs} 个。"
                )
            )
