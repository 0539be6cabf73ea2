"""Benchmark set-up: the demo content in the test database, and a summary of queries and bytes per page."""

import io

import pytest

PAGE_FIGURES = {}


@pytest.fixture(scope="session")
def demo_content(django_db_setup, django_db_blocker):
    """The demo site, loaded once and committed so every benchmark reads the same pages."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("load_demo_content", stdout=io.StringIO())


def pytest_terminal_summary(terminalreporter):
    if not PAGE_FIGURES:
        return
    terminalreporter.section("queries and HTML bytes per page (uncached render)")
    terminalreporter.write_line(f"{'page':<40} {'queries':>8} {'bytes':>8}")
    for name, (queries, size) in PAGE_FIGURES.items():
        terminalreporter.write_line(f"{name:<40} {queries:>8} {size:>8}")
