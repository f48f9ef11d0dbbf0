"""Custos test suite (a package, so that tests/app and tests/ui never shadow the app and ui packages)."""
