"""What the browser tests share: one headless Chromium per test module."""
import pytest

from rnnlib.course.browser import launch_chromium


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()
