"""The TurboGears2 variant, laid out like a trimmed ``gearbox quickstart`` project."""
