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
