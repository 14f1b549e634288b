"""`make backup` and `make restore`: the demo, its photos and its consent scans
go out and come back exactly, on SQLite and on PostgreSQL, and a damaged or
mismatched backup is refused before anything is touched."""

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from stories.models import Person, Story, StoryPhoto
from tests.factories import ConsentFactory, jpeg

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.BACKUP_ROOT = tmp_path / "backups"
    return settings


@pytest.fixture
def site(folders):
    """The demo, a photo (its original in private, its copy for readers in the
    public media) and a consent scan in private."""
    call_command("load_demo", verbosity=0)
    photo = StoryPhoto.objects.create(
        story=Story.objects.get(slug="jindong-job-closer-to-home"),
        image=jpeg("at-work.jpg"),
        caption="叶寿恒在木板厂上班。",
        credit="杨亚俊摄",
        alt_text="叶寿恒在木板厂搬运木板",
    )
    photo.people_shown.add(Person.objects.get(real_name="叶寿恒"))
    ConsentFactory(document=SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed"))
    return folders


def everything(settings) -> tuple[str, dict[str, str]]:
    """Every row of every table, and every media file with its hash."""
    out = io.StringIO()
    call_command("dumpdata", format="json", indent=0, stdout=out)
    files = {}
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out.getvalue(), files


def back_up() -> Path:
    out = io.StringIO()
    call_command("backup", stdout=out)
    assert "备份完成" in out.getvalue()
    return Path(out.getvalue().split("：", 1)[1].split("（")[0])


def test_the_demo_comes_back_exactly(site):
    before = everything(site)
    assert len(json.loads(before[0])) > 100
    # The photo's original and its public copy, and the scan.
    assert len(before[1]) == 3
    folder = back_up()

    # What a bad day looks like: stories deleted (and with them the photo's
    # public copy), its original lost, a stray file.
    Story.objects.all().delete()
    next(Path(site.PRIVATE_MEDIA_ROOT, "photos").iterdir()).unlink()
    Path(site.MEDIA_ROOT, "stray.txt").write_text("not in the backup")
    assert everything(site) != before

    out = io.StringIO()
    call_command("restore", str(folder), "--yes", stdout=out)
    assert "恢复完成" in out.getvalue()
    assert everything(site) == before


def test_a_damaged_backup_is_refused_and_nothing_changes(site):
    folder = back_up()
    Story.objects.filter(slug="jindong-job-closer-to-home").delete()
    after_the_change = everything(site)
    dump = next(folder.glob("database.*"))
    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(CommandError, match="已损坏，什么都没有恢复"):
        call_command("restore", str(folder), "--yes")
    assert everything(site) == after_the_change


@pytest.mark.parametrize("lost", ["database", "media.tar.gz", "private.tar.gz"])
def test_a_backup_missing_a_file_is_refused_and_nothing_changes(site, lost):
    folder = back_up()
    before = everything(site)
    next(folder.glob(f"{lost}*")).unlink()
    with pytest.raises(CommandError, match="缺失或已损坏，什么都没有恢复"):
        call_command("restore", str(folder), "--yes")
    assert everything(site) == before


def test_only_the_portals_account_may_read_a_backup(site):
    folder = back_up()
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_folder_that_is_not_a_backup_is_refused(folders, tmp_path):
    with pytest.raises(CommandError, match="不是完整的备份"):
        call_command("restore", str(tmp_path), "--yes")


def test_restore_asks_before_replacing_everything(site, monkeypatch):
    folder = back_up()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="已取消"):
        call_command("restore", str(folder))
