from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed names after ``collectstatic``; plain names before it (tests, first run),
    instead of failing every page because the manifest is not there yet. WhiteNoise serves the
    plain names from the app folders (WHITENOISE_USE_FINDERS)."""

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            return name
