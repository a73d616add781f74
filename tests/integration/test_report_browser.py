"""The demo report in a real headless Chromium: axe-core finds no WCAG 2.2 A/AA violation,
the keyboard reaches everything in order, and the page requests nothing but itself.

Chromium comes from the Debian package (``scripts/ensure-chromium.sh``, run by ``make
test``); axe-core is vendored in ``tests/vendor/axe-core`` so no network is needed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.report.browser import chromium, find_chromium

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        pytest.fail(
            "Chromium is not installed: run scripts/ensure-chromium.sh (make test does), "
            "or apt-get install chromium."
        )
    with chromium(executable) as running:
        yield running


def _axe_violations(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate("axe.version") == AXE_VERSION
    return page.evaluate(
        f"""axe.run(document, {{runOnly: {{type: 'tag', values: {WCAG_TAGS}}},
                                resultTypes: ['violations']}})
            .then(r => r.violations.map(v => ({{
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}})))""",
        await_promise=True,
    )


def test_the_report_has_no_wcag_violations(browser, demo_report):
    page = browser.new_page()
    page.goto((demo_report / "index.html").as_uri())
    assert _axe_violations(page) == []


def test_axe_does_report_a_violation_we_plant(browser, demo_report):
    page = browser.new_page()
    page.goto((demo_report / "index.html").as_uri())
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<button></button>')"
    )
    assert [v["id"] for v in _axe_violations(page)] == ["button-name"]


def test_the_archive_index_has_no_wcag_violations(browser, demo_report):
    page = browser.new_page()
    page.goto((demo_report.parent / "index.html").as_uri())
    assert _axe_violations(page) == []


def test_the_report_requests_nothing_but_itself(browser, demo_report):
    page = browser.new_page()
    url = (demo_report / "index.html").as_uri()
    page.goto(url)
    assert page.requests() == [url]


def _focused(page) -> dict:
    return page.evaluate(
        """(() => { const el = document.activeElement;
                    const box = el.getBoundingClientRect();
                    return {tag: el.tagName, id: el.id, href: el.getAttribute('href'),
                            cls: el.className, left: box.left, top: box.top}; })()"""
    )


def test_tab_reaches_the_skip_link_first_and_it_moves_focus_to_the_content(browser, demo_report):
    page = browser.new_page()
    page.goto((demo_report / "index.html").as_uri())
    page.press("Tab")
    focused = _focused(page)
    assert focused["cls"] == "skip-link" and focused["href"] == "#main"
    assert focused["left"] >= 0  # shown on screen while focused
    page.press("Enter")
    assert _focused(page)["id"] == "main"


def test_contents_links_move_focus_to_their_section(browser, demo_report):
    page = browser.new_page()
    page.goto((demo_report / "index.html").as_uri())
    for _ in range(40):
        page.press("Tab")
        if _focused(page)["href"] == "#representation-by-lpu":
            break
    else:
        pytest.fail("Tab never reached the contents link to the LPU section")
    page.press("Enter")
    focused = _focused(page)
    assert focused["id"] == "representation-by-lpu"
    assert abs(focused["top"]) < 5  # scrolled to the top of the viewport
    page.press("Tab")  # sequential navigation continues inside the section
    assert page.evaluate("!!document.activeElement.closest('#representation-by-lpu')")


def test_every_chart_has_a_title_and_a_text_alternative(browser, demo_report):
    page = browser.new_page()
    page.goto((demo_report / "index.html").as_uri())
    charts = page.evaluate(
        """[...document.querySelectorAll('figure svg')].map(svg => ({
              role: svg.getAttribute('role'),
              title: document.getElementById(svg.getAttribute('aria-labelledby')).textContent,
              alt: document.getElementById(svg.getAttribute('aria-describedby')).textContent,
              table: !!svg.closest('section').querySelector('table')}))"""
    )
    assert len(charts) >= 4
    for chart in charts:
        assert chart["role"] == "img" and chart["table"]
        assert len(chart["title"]) > 30 and len(chart["alt"]) > 60
