// How an embedded widget starts: README's snippet on a host page of another origin (strict
// CSP), the loader's skeleton in the reserved space, no layout shift, the loader's own
// strings in the visitor's language, and what the first step leaves for later.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy, launchBrowser, startHost, EMBED, INTRO_PROFILE, OPEN_PROFILE } from './support.mjs';
import { Widget, SEL } from './widget-page.mjs';

let proxy;
let host;
let browser;
let body = '';

before(async () => {
  host = await startHost((base) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Host page</title>
<link rel="stylesheet" href="/host.css"></head><body><h1>A host page</h1>${body(base)}
<p id="below">Text under the widget.</p></body></html>`);
  host.setCss(EMBED.css);
  proxy = await startProxy(INTRO_PROFILE + OPEN_PROFILE, { origins: [host.origin] });
  host.setProxy(proxy.base);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await proxy?.stop();
  await host?.stop();
});

/// Opens the host page with `markup(proxyBase)` in its body (or the proxy's page at `path`);
/// `hold` routes the widget's wasm until the returned `release()` is called; `slowdown`
/// runs the page's CPU that many times slower; `init(arg)` runs in the page before its own
/// scripts. Collects page errors and CSP reports.
async function openHost(markup, { viewport = { width: 412, height: 823 }, hold = false, path, slowdown, init, arg } = {}) {
  body = markup;
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris', viewport });
  let release = () => {};
  if (hold) {
    const held = new Promise((resolve) => { release = resolve; });
    await context.route('**/*_bg.wasm', async (route) => { await held; await route.continue().catch(() => {}); });
  }
  const page = await context.newPage();
  if (slowdown) await (await context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: slowdown });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.addInitScript(() => {
    window.__shifts = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__shifts.push({ csp: e.violatedDirective }));
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const what = (e.sources ?? []).map((s) => `${s.node?.nodeName ?? '?'} ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)}`);
        window.__shifts.push({ value: e.value, what });
      }
    }).observe({ type: 'layout-shift', buffered: true });
    // What each frame shows where the widget goes, in the order seen, until its month:
    // nothing of the widget yet (the loader's skeleton, the page's blank), the widget without
    // its month, the widget with its month.
    window.__seen = [];
    const until = performance.now() + 30_000;
    const look = () => {
      const shadow = (document.querySelector('booking-widget') ?? document.getElementById('booking-widget'))?.shadowRoot;
      const state = !shadow?.querySelector('.bw-root') ? 'before' : shadow.querySelector('.bw-day--free') ? 'month' : 'partial';
      if (window.__seen.at(-1) !== state) window.__seen.push(state);
      if (state !== 'month' && performance.now() < until) requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  });
  if (init) await page.addInitScript(init, arg);
  await page.goto(path ? proxy.base + path : host.origin);
  return { page, problems, release, close: () => context.close() };
}

for (const viewport of [{ width: 412, height: 823 }, { width: 1350, height: 940 }]) {
  test(`README's snippet: nothing on the page moves while the widget loads (${viewport.width}×${viewport.height})`, async () => {
    const { page, problems, close } = await openHost((base) => EMBED.html(base, 'intro'), { viewport });
    await new Widget(page).ready();
    // The first step's last drawing (the first free day chosen, and beside it on a wider
    // screen its times) is in; a moment for late shifts.
    await page.locator('.bw-day--selected').first().waitFor();
    if (viewport.width > 640) await page.locator(SEL.slot).first().waitFor();
    await page.waitForTimeout(500);
    const shifts = await page.evaluate(() => window.__shifts);
    assert.deepEqual(shifts, [], 'no layout shift, no CSP report');
    assert.deepEqual(problems, []);
    await close();
  });
}

test('the loader draws a skeleton in the reserved space at once, in the visitor\'s language, until the widget is drawn', async () => {
  const { page, problems, release, close } = await openHost((base) => `${EMBED.html(base, 'intro')}
<booking-widget id="de" profile="intro" locale="de"></booking-widget>`, { hold: true });
  const [en, de] = [new Widget(page.locator('booking-widget').first()), new Widget(page.locator('#de'))];
  await en.skeleton.waitFor({ timeout: 15_000 });
  assert.equal(await en.skeleton.getAttribute('role'), 'status');
  assert.equal(await en.skeleton.getAttribute('aria-busy'), 'true');
  // The status's text (the month's days may be drawn beside it).
  await page.waitForFunction(() => document.querySelector('#de').shadowRoot?.querySelector('.bw-skeleton p')?.textContent === 'Wird geladen…', null, { timeout: 15_000 });
  assert.equal(await en.skeleton.locator('p').textContent(), 'Loading…');
  // As tall as the space README's rule holds: a phone's screen.
  const skeleton = await en.skeleton.boundingBox();
  assert.equal(Math.round(skeleton.height), 823);
  assert.equal(await en.title.count(), 0, 'no widget before its wasm');
  release();
  await en.titled('Intro call').waitFor({ timeout: 15_000 });
  await de.titled('Intro call').waitFor({ timeout: 15_000 });
  assert.equal(await en.skeleton.count(), 0);
  assert.equal(await de.skeleton.count(), 0);
  assert.deepEqual(problems, []);
  await close();
});

test('the popup\'s button and close button are in the visitor\'s language; a label attribute wins', async () => {
  const { page, problems, close } = await openHost((base) => `<script src="${base}/widget.js" defer></script>
<booking-widget id="fr" profile="intro" mode="popup" locale="fr"></booking-widget>
<booking-widget id="ja" profile="intro" mode="popup" locale="ja" label="Book a call"></booking-widget>
<booking-widget id="en" profile="intro" mode="popup"></booking-widget>`);
  const fr = new Widget(page.locator('#fr'));
  await fr.launcher.waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => document.querySelector('#fr').shadowRoot.querySelector('.bw-launch').textContent === 'Réserver un créneau', null, { timeout: 15_000 });
  assert.equal(await fr.closeButton.getAttribute('aria-label'), 'Fermer');
  const ja = new Widget(page.locator('#ja'));
  await page.waitForFunction(() => document.querySelector('#ja').shadowRoot.querySelector('.bw-close')?.getAttribute('aria-label') === '閉じる', null, { timeout: 15_000 });
  assert.equal(await ja.launcher.textContent(), 'Book a call');
  const en = new Widget(page.locator('#en'));
  assert.equal(await en.launcher.textContent(), 'Book a time');
  // README's rule holds no space for a launcher: it is a button in the line.
  const { height } = await page.locator('#en').boundingBox();
  assert.ok(height < 100, `the launcher's element is ${height}px tall`);
  assert.equal(await en.closeButton.getAttribute('aria-label'), 'Close');
  await fr.launcher.click();
  await new Widget(fr.dialog).ready();
  assert.equal(await fr.dialog.getAttribute('aria-label'), 'Réserver un créneau');
  assert.deepEqual(problems, []);
  await close();
});

test('the zone list is filled when the zone field is first focused, not when the step is drawn', async () => {
  const { page, close } = await openHost((base) => EMBED.html(base, 'intro'));
  const w = new Widget(page);
  await w.ready();
  const options = () => page.evaluate(() => document.querySelector('booking-widget').shadowRoot.querySelectorAll('#bw-zones option').length);
  assert.equal(await options(), 0);
  await w.zone.focus();
  assert.ok(await options() > 100, 'the browser\'s zones');
  assert.equal(await page.evaluate(() => document.querySelector('booking-widget').shadowRoot.querySelector('#bw-zones option[value="Europe/Paris"]')?.value), 'Europe/Paris');
  await w.zone.fill('Asia/Tokyo');
  assert.equal(await w.zone.inputValue(), 'Asia/Tokyo');
  await close();
});

/// The open profile's widget as each kind of page has it: its name, the host page's markup
/// for it, the proxy's page to open instead.
const OPEN_PAGES = [
  ['an embed', (base) => EMBED.html(base, 'open'), undefined],
  ['the booking page', () => '', '/book/open'],
];

/** This month in Paris, the test pages' zone: `YYYY-MM`. */
const monthInParis = () => new Intl.DateTimeFormat('sv', { timeZone: 'Europe/Paris' }).format(new Date()).slice(0, 7);

/** This month's free days of the open profile in Paris, as the proxy says (ISO dates). */
async function freeDaysInParis() {
  const month = monthInParis();
  const last = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5)), 0)).getUTCDate();
  const answer = await (await fetch(`${proxy.base}/api/v1/profiles/open/slots?from=${month}-01&to=${month}-${last}&time_zone=Europe/Paris&duration=30`)).json();
  const day = new Intl.DateTimeFormat('sv', { timeZone: 'Europe/Paris' });
  return [...new Set(answer.slots.map((s) => day.format(new Date(s.start))))].filter((d) => d.startsWith(month));
}

for (const [where, markup, path] of OPEN_PAGES) {
  test(`${where}: this month's free days can be picked before the wasm is here, and the widget opens on the day picked`, async (t) => {
    const expected = await freeDaysInParis();
    // A day other than the widget's own first choice is needed; and the booking page's
    // data holds UTC's month, which in Paris's first hour of a month is the last one.
    const utcMonth = new Date().toISOString().slice(0, 7);
    if (expected.length < 2 || (path && !expected[0].startsWith(utcMonth))) {
      t.skip('at the very end or start of a month');
      return;
    }
    const { page, problems, release, close } = await openHost(markup, { hold: true, path, viewport: { width: 1350, height: 940 } });
    const w = new Widget(page);
    await w.earlyDay.first().waitFor({ timeout: 15_000 });
    const dates = await w.earlyDay.evaluateAll((days) => days.map((d) => d.dataset.date));
    assert.deepEqual(dates, expected, 'the free days of the slots\' answer, in the visitor\'s zone');
    const [, month, day] = dates.at(-1).split('-').map(Number);
    const label = await w.earlyDay.last().getAttribute('aria-label');
    assert.match(label, new RegExp(`\\b${day}\\b`), 'named by its date');
    assert.match(label, new RegExp(new Intl.DateTimeFormat('en-GB', { month: 'long' }).format(Date.UTC(2026, month - 1, 15))));
    assert.equal(await w.title.count(), 0, 'no widget before its wasm');
    const column = (cell) => [...cell.parentNode.children].indexOf(cell) % 7;
    const earlyColumn = await w.earlyDay.last().evaluate(column);
    // Not the first free day, which the widget would choose by itself.
    await w.earlyDay.first().click();
    await w.earlyDay.last().click();
    assert.equal(await w.earlyDay.last().getAttribute('aria-pressed'), 'true', 'the click is seen');
    assert.equal(await page.locator(`${SEL.earlyDay}[aria-pressed]`).count(), 1, 'only the last day picked is marked');
    release();
    const picked = page.locator(`.bw-day--selected[data-date="${dates.at(-1)}"]`);
    await picked.waitFor({ timeout: 15_000 });
    assert.equal(await picked.evaluate((b) => [...b.closest('tr').children].indexOf(b.closest('td'))), earlyColumn,
      'the early month\'s week starts on the widget\'s day');
    await w.slot.first().waitFor();
    assert.equal(await w.earlyDay.count(), 0);
    assert.deepEqual(problems, []);
    const shifts = await page.evaluate(() => window.__shifts);
    assert.deepEqual(shifts.filter((s) => s.csp), [], 'no CSP report');
    await close();
  });
}

for (const [where, markup, path] of OPEN_PAGES) {
  test(`${where}: the widget shows up whole, on a slow phone too: no frame has it without its month`, async () => {
    const { page, problems, close } = await openHost(markup, { path, slowdown: 4 });
    await page.waitForFunction(() => window.__seen.at(-1) === 'month', null, { timeout: 30_000 });
    const seen = await page.evaluate(() => window.__seen);
    assert.deepEqual(seen.filter((s) => s !== 'before'), ['month'], `frames seen: ${seen}`);
    assert.deepEqual(problems, []);
    await close();
  });
}

/// Notes in `window.__intl`, in order: each worker the page makes ('worker'), its first
/// message ('worker done') or refusal ('worker refused'), and the main thread's first
/// `Intl.DateTimeFormat` ('intl'). Without `temporal`, the page has no `Temporal`.
function watchIntl(temporal) {
  const notes = (window.__intl = []);
  if (!temporal) delete globalThis.Temporal;
  window.Worker = class extends window.Worker {
    constructor(...args) {
      super(...args);
      notes.push('worker');
      this.addEventListener('message', () => notes.push('worker done'), { once: true });
      this.addEventListener('error', () => notes.push('worker refused'), { once: true });
    }
  };
  const first = () => { if (!notes.includes('intl')) notes.push('intl'); };
  Intl.DateTimeFormat = new Proxy(Intl.DateTimeFormat, {
    construct: (f, args, target) => { first(); return Reflect.construct(f, args, target); },
    apply: (f, self, args) => { first(); return Reflect.apply(f, self, args); },
  });
}

// A page's first `Intl` call builds ICU's state in one long task (~100 ms on a phone); a
// worker's first call builds it for the whole page, off the main thread.
for (const [where, markup, path, temporal, workers, notes] of [
  ['an embed', (base) => EMBED.html(base, 'open'), undefined, true, true, ['worker', 'worker done', 'intl']],
  ['the booking page', () => '', '/book/open', true, true, ['worker', 'worker done', 'intl']],
  ['an embed in a browser without Temporal', (base) => EMBED.html(base, 'open'), undefined, false, true, ['intl']],
  ['an embed whose page refuses workers', (base) => EMBED.html(base, 'open'), undefined, true, false, ['worker', 'worker refused', 'intl']],
]) {
  test(`${where}: the page's first Intl call is ${notes.includes('worker done') ? 'a worker\'s' : 'its own'}, and its free days are drawn`, async () => {
    host.setWorkers(workers);
    try {
      const { page, problems, close } = await openHost(markup, { path, init: watchIntl, arg: temporal });
      await page.waitForFunction(() => window.__seen.at(-1) === 'month', null, { timeout: 30_000 });
      assert.deepEqual(await page.evaluate(() => window.__intl), notes);
      const reports = (await page.evaluate(() => window.__shifts)).filter((s) => s.csp).map((s) => s.csp);
      assert.deepEqual(reports, workers ? [] : ['worker-src'], 'CSP reports');
      assert.deepEqual(problems.filter((p) => workers || !/worker/i.test(p)), []);
      await close();
    } finally {
      host.setWorkers(true);
    }
  });
}

test('a popup: the page\'s first Intl call is a worker\'s, made before the first opening', async () => {
  const { page, problems, close } = await openHost((base) => `<script src="${base}/widget.js" defer></script>
<booking-widget profile="open" mode="popup"></booking-widget>`, { init: watchIntl, arg: true });
  const w = new Widget(page.locator('booking-widget'));
  await w.launcher.waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => window.__intl.includes('worker done'), null, { timeout: 15_000 });
  await w.launcher.click();
  await new Widget(w.dialog).ready();
  assert.deepEqual(await page.evaluate(() => window.__intl), ['worker', 'worker done', 'intl']);
  assert.deepEqual(problems, []);
  await close();
});

/// Notes in `window.__steps`, in order: the widget's stylesheet parsed ('stylesheet') and the
/// booking page's mount ('mount'), each marked when no task has ended since the note before.
function watchSteps() {
  const steps = (window.__steps = []);
  let ended = true;
  const note = (name) => {
    steps.push(ended ? name : `${name}, in the same task`);
    ended = false;
    setTimeout(() => { ended = true; });
  };
  const parse = CSSStyleSheet.prototype.replaceSync;
  CSSStyleSheet.prototype.replaceSync = function (text) {
    if (String(text).includes('.bw-root')) note('stylesheet');
    return parse.call(this, text);
  };
  let bindings;
  Object.defineProperty(window, 'wasmBindings', {
    configurable: true,
    get: () => bindings,
    set: (b) => { bindings = { ...b, mountPage: (...args) => { note('mount'); return b.mountPage(...args); } }; },
  });
}

// Parsing the widget's stylesheet is a step of its own, as in an embed: on a slow phone the
// mount's task is long enough without it.
test('the booking page parses the widget\'s stylesheet in a task before the mount\'s', async () => {
  const { page, problems, close } = await openHost(() => '', { path: '/book/open', init: watchSteps });
  await page.waitForFunction(() => window.__seen.at(-1) === 'month', null, { timeout: 30_000 });
  assert.deepEqual(await page.evaluate(() => window.__steps), ['stylesheet', 'mount']);
  assert.deepEqual(problems, []);
  await close();
});

/// Notes in `window.__parts`, each with the number of timer callbacks run before it (each
/// task the widget yields to starts with one: two notes with the same number are in one task):
/// the profile's title written ('title'), the month's weekday names asked of `Intl`
/// ('weekdays'), its day numbers ('days'); the first of each. Counts in `window.__dayNumbers`
/// the day numbers asked of `Intl` (a formatter of the day alone, as the grid's day buttons
/// have theirs written): one for each day button the grid draws.
function watchParts() {
  const parts = (window.__parts = []);
  window.__dayNumbers = 0;
  let tasks = 0;
  const later = window.setTimeout;
  window.setTimeout = function (callback, ...rest) {
    const run = typeof callback === 'function' ? (...args) => { tasks++; return callback(...args); } : callback;
    return later.call(this, run, ...rest);
  };
  const note = (name) => { if (!parts.some(([n]) => n === name)) parts.push([name, tasks]); };
  const text = Document.prototype.createTextNode;
  Document.prototype.createTextNode = function (data) {
    if (data === 'Open') note('title');
    return text.call(this, data);
  };
  const { formatToParts } = Intl.DateTimeFormat.prototype;
  Intl.DateTimeFormat.prototype.formatToParts = function (...args) {
    const options = this.resolvedOptions();
    if (options.day && !options.month) {
      note('days');
      window.__dayNumbers++;
    }
    return formatToParts.apply(this, args);
  };
  const formatGetter = Object.getOwnPropertyDescriptor(Intl.DateTimeFormat.prototype, 'format').get;
  Object.defineProperty(Intl.DateTimeFormat.prototype, 'format', {
    configurable: true,
    get() {
      const options = this.resolvedOptions();
      if (options.weekday && !options.day && !options.dateStyle) note('weekdays');
      return formatGetter.call(this);
    },
  });
}

// The month's answer is drawn once: what follows the answer (the search for the first free
// day, which picks it) runs before what follows its days (the grid), so the grid is not
// drawn with its free days and then again with the day picked.
for (const [where, markup, path] of OPEN_PAGES) {
  test(`${where}: the month is drawn twice in all, empty and then with its answer`, async (t) => {
    const { page, problems, close } = await openHost(markup, { path, init: watchParts });
    await page.waitForFunction(() => window.__seen.at(-1) === 'month', null, { timeout: 30_000 });
    await page.waitForTimeout(500);
    const { counted, buttons, month } = await page.evaluate(() => {
      const shadow = (document.querySelector('booking-widget') ?? document.getElementById('booking-widget')).shadowRoot;
      const first = shadow.querySelector('button.bw-day').dataset.date;
      return { counted: window.__dayNumbers, buttons: shadow.querySelectorAll('button.bw-day').length, month: first.slice(0, 7) };
    });
    await close();
    // The profile is open around the clock: only in a month's last half hour does the
    // widget open on the next month, which is then drawn once more.
    if (month !== monthInParis()) return t.skip('this month is over for the profile');
    assert.equal(counted, 2 * buttons, `${counted} day numbers for ${buttons} days`);
    assert.deepEqual(problems, []);
  });
}

// The booking step is drawn in parts, each a task of its own on a slow phone: the profile's
// header and the flow, then the settings, the month and the times, then the month's days.
for (const [where, markup, path] of OPEN_PAGES) {
  test(`${where}: the booking step is drawn in three tasks: the header, the month's frame, its days`, async () => {
    const { page, problems, close } = await openHost(markup, { path, init: watchParts });
    await page.waitForFunction(() => window.__seen.at(-1) === 'month', null, { timeout: 30_000 });
    const parts = await page.evaluate(() => window.__parts);
    await close();
    assert.deepEqual(parts.map(([name]) => name), ['title', 'weekdays', 'days']);
    const [title, weekdays, days] = parts.map(([, tasks]) => tasks);
    assert.ok(title < weekdays && weekdays < days, `in tasks ${title}, ${weekdays}, ${days}`);
    assert.deepEqual(problems, []);
  });
}
