from pathlib import Path

import polib
import pytest

import phongdich

LOCALE = Path(phongdich.__file__).parent / "locale"


def test_vietnamese_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(LOCALE / "vi" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    mo = polib.mofile(str(LOCALE / "vi" / "LC_MESSAGES" / "django.mo"))
    compiled = {e.msgid: e.msgstr for e in mo}
    stale = [e.msgid for e in po.translated_entries() if compiled.get(e.msgid) != e.msgstr]
    assert stale == [], "run `phongdich compilemessages` after editing the .po file"


@pytest.mark.parametrize("placeholder", ["%(name)s", "%(place)s", "%(time)s"])
def test_placeholders_survive_translation(placeholder):
    po = polib.pofile(str(LOCALE / "vi" / "LC_MESSAGES" / "django.po"))
    for entry in po.translated_entries():
        assert (placeholder in entry.msgid) == (placeholder in entry.msgstr), entry.msgid


def test_every_marked_string_is_in_the_vietnamese_catalogue(tmp_path):
    """The .po file can be complete and still miss strings nobody extracted: run makemessages
    over a copy of the package and require every msgid it finds to be translated."""
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is needed to check the catalogue")
    package = Path(phongdich.__file__).parent
    copy = tmp_path / "phongdich"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
    # The real settings point LOCALE_PATHS at the package: write into the copy instead.
    (tmp_path / "i18n_settings.py").write_text(
        "from phongdich.settings import *  # noqa: F403\nLOCALE_PATHS = []\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "i18n_settings", "PYTHONPATH": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "vi", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    ours = polib.pofile(str(LOCALE / "vi" / "LC_MESSAGES" / "django.po"))
    translated = {(e.msgctxt, e.msgid) for e in ours.translated_entries()}
    missing = [e.msgid for e in extracted if (e.msgctxt, e.msgid) not in translated]
    assert missing == [], "run makemessages, then translate these"
