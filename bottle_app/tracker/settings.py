"""The variant's settings, read from the environment once (spec 6.4), and where it names itself.

A module of its own that imports nothing else of the app: ``python -m tracker`` needs the settings
before the app is imported (see ``__main__``).
"""

from tasktracker.config import Settings

# region: app-config
settings = Settings.from_env("bottle")
# endregion
