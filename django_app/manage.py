#!/usr/bin/env python
"""Django's command-line utility: migrate, seed_tasks, and the rest of Django's commands."""

import os
import sys


# region: serving
def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


# `python manage.py migrate --no-input` is the variant's migrate step (variant.toml).
if __name__ == "__main__":
    main()
# endregion
