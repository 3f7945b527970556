"""The tests never write into the demo's var/ folder."""

from pathlib import Path

from django.conf import settings


def test_tests_keep_their_files_outside_the_project_var():
    assert settings.VAR_DIR != (Path.cwd() / "var").resolve()
    assert Path(settings.MEDIA_ROOT).is_relative_to(settings.VAR_DIR)
