"""Test helpers other packages reuse: the repository contract."""
