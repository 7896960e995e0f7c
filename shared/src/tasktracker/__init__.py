"""The Task Tracker domain package shared by all six variants. See README.md for the tour."""

SPEC_VERSION = "2.0"
