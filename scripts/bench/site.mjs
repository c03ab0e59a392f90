// The pages the benchmarks load, served by a release booking-proxy on 127.0.0.1 from a
// temporary copy of dist/: a local profile open around the clock, a static floor page
// (one fetch of this month's slots, a button per free day), and a host page embedding the
// widget. `startSite()` resolves to the proxy (`base`, `stop()`).
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, EMBED, OPEN_PROFILE, startProxy } from '../../tests/e2e/support.mjs';

// The floor: one fetch of this month's slots, one button per free day.
const FLOOR = `<!doctype html><meta charset=utf-8><title>floor</title><div id=days></div>
<script src="floor.js"></script>`;
const FLOOR_JS = `
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const now = new Date();
const pad = (n) => String(n).padStart(2, '0');
const first = now.getFullYear() + '-' + pad(now.getMonth() + 1) + '-01';
const lastDay = new Date(now.getFullYear(), now.getMonth() + 1, 0).getDate();
const last = now.getFullYear() + '-' + pad(now.getMonth() + 1) + '-' + pad(lastDay);
fetch('/api/v1/profiles/open/slots?from=' + first + '&to=' + last + '&time_zone=' + zone)
  .then((r) => r.json())
  .then((body) => {
    const days = new Set(body.slots.map((s) => new Date(s.start).toLocaleDateString('en-CA', { timeZone: zone })));
    const box = document.getElementById('days');
    for (const day of days) {
      const b = document.createElement('button');
      b.className = 'bw-day--free';
      b.textContent = day;
      box.append(b);
    }
  });
`;
// The host page embeds the widget with README's snippet, as it is written there (the
// proxy's origin is this one): its HTML in the body, its CSS in the page's stylesheet.
// Text below the widget shows whether the widget moves it while it loads (layout shift).
const HOST = `<!doctype html><html lang=en><meta charset=utf-8><title>host</title>
<meta name=viewport content="width=device-width, initial-scale=1">
<meta name=description content="A host page with a booking widget"><link rel=icon href="data:,">
<link rel=stylesheet href="host.css">
<h1>A host page</h1>${EMBED.html('', 'open')}
<p>Text below the widget, which must not move while the widget loads.</p>`;

export async function startSite() {
  const site = mkdtempSync(join(tmpdir(), 'bw-bench-'));
  cpSync(DIST, site, { recursive: true });
  writeFileSync(join(site, 'floor.html'), FLOOR);
  writeFileSync(join(site, 'floor.js'), FLOOR_JS);
  writeFileSync(join(site, 'host.html'), HOST);
  writeFileSync(join(site, 'host.css'), EMBED.css);
  return startProxy(OPEN_PROFILE, { assetsDir: site });
}
