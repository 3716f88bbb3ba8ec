"""The ``phongdich`` command: every Django management command, plus serve/demo/adduser/token."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["phongdich", *argv])
    args[0] = "phongdich"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
