"""The browser checks of the accessibility tests (issue 12, quality bar and "phone first"), run inside
a Playwright page: sideways overflow, touch-target sizes, and axe-core (the npm package pinned in
e2e/package.json, injected from e2e/node_modules). Each returns plain-words problems; [] is a pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import conftest

AXE = conftest.REPO / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa"]
FAILING_IMPACTS = ("serious", "critical")
TARGET_PX = 44  # issue 12: touch targets >= 44 px on phones (WCAG 2.5.5's size, not 2.5.8's 24)

# The elements reaching past the viewport's right edge, for the failure message.
OVERFLOW = """() => {
  const width = innerWidth, scroll = document.scrollingElement.scrollWidth;
  if (scroll <= width) return [];
  const wide = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > width + 1);
  const outermost = wide.filter(e => !wide.includes(e.parentElement)).slice(0, 5);
  return [`page is ${scroll} px wide in a ${width} px viewport`].concat(outermost.map(e =>
    `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : ''} reaches ${Math.round(e.getBoundingClientRect().right)} px`));
}"""

# Touch targets in <main> and the site's header (its menu and search). A link among words (WCAG 2.5.8's inline exception: "the target is in a
# sentence or its size is otherwise constrained by the line-height of non-target text") is exempt:
# an inline <a> whose nearest block holds words (two letters or more) outside any control. Lists of
# bare links, facet links with only a "(12)" beside them and links alone in a table cell are targets.
# An input counts by its largest click area: itself or one of its <label>s. Links drawn in an SVG map
# are exempt by 2.5.8's "equivalent" exception: each map sits beside a list or table of the same links.
TARGETS = """(min) => {
  const main = document.querySelector('main');
  if (!main) return ['the page has no <main>'];
  const header = document.querySelector('body > header');
  const CONTROLS = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  // Not shown: no box, off screen, invisible, or inside a box clipped to a pixel (.visually-hidden).
  const clipped = (e) => { for (let p = e.parentElement; p; p = p.parentElement) { const r = p.getBoundingClientRect();
    if ((r.width <= 1 || r.height <= 1) && getComputedStyle(p).overflow !== 'visible') return true; } return false; };
  const shown = (e, r) => r.width > 1 && r.height > 1 && r.right > 0 && getComputedStyle(e).visibility !== 'hidden'
    && !e.closest('[aria-hidden=true]') && !clipped(e);
  const blockOf = (e) => { let b = e.parentElement;
    while (b && b !== main && getComputedStyle(b).display.startsWith('inline')) b = b.parentElement;
    return b || main; };
  const inSentence = (a) => {
    if (getComputedStyle(a).display !== 'inline') return false;
    const block = blockOf(a);
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    let words = '';
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const inControl = n.parentElement.closest(CONTROLS);
      if (!inControl || !block.contains(inControl)) words += ' ' + n.data;
    }
    return /\\p{L}{2,}/u.test(words);
  };
  const size = (e) => { let best = e.getBoundingClientRect();
    for (const label of e.labels || []) { const r = label.getBoundingClientRect();
      if (Math.min(r.width, r.height) > Math.min(best.width, best.height)) best = r; }
    return best; };
  const describe = (e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${(e.textContent || e.getAttribute('aria-label') || e.name || '').trim().replace(/\\s+/g, ' ').slice(0, 40)}"`;
  const small = [];
  for (const e of [...(header ? header.querySelectorAll(CONTROLS) : []), ...main.querySelectorAll(CONTROLS)]) {
    if (e instanceof SVGElement || e.closest('svg')) continue;
    const own = e.getBoundingClientRect();
    if (!shown(e, own) || (e.tagName === 'A' && inSentence(e))) continue;
    const r = size(e);
    if (r.width < min - 0.5 || r.height < min - 0.5)
      small.push(`${describe(e)} is ${Math.round(r.width)}x${Math.round(r.height)} px`);
  }
  return small;
}"""

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


def axe_script() -> Path:
    """axe.min.js from e2e/node_modules; a clear failure (never a skip) when it was not installed."""
    if not AXE.is_file():
        raise AssertionError(f"axe-core is not installed ({AXE} is missing): run `make test`, or "
                             "`npm ci --prefix e2e` (needs node and npm), then run the tests again")
    return AXE


def overflow(page: Any) -> list[str]:
    return list(page.evaluate(OVERFLOW))


def small_targets(page: Any, minimum: int = TARGET_PX) -> list[str]:
    return list(page.evaluate(TARGETS, minimum))


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core violations: rule id (impact): help -- the first target selectors."""
    page.add_script_tag(path=str(axe_script()))
    found = page.evaluate(AXE_RUN, AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} -- {', '.join(v['targets'])}"
            for v in found if v["impact"] in FAILING_IMPACTS]
