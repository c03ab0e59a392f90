// Embedding: one script tag and <booking-widget> on a page of another origin, under a
// strict CSP, against the real proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startProxy, launchBrowser, artifact, focused, tabTo, axeViolations, startHost, bookThroughApi, INTRO_PROFILE, ROOT,
} from './support.mjs';
import { Widget, SEL } from './widget-page.mjs';

const OTHER_PROFILE = `
[profiles.other]
provider = "local"
title = "Second opinion"
time_zone = "Europe/London"
durations = [30]
hours = { mon = ["10:00-16:00"], tue = ["10:00-16:00"], wed = ["10:00-16:00"], thu = ["10:00-16:00"], fri = ["10:00-16:00"] }

[profiles.long]
provider = "local"
title = "A first consultation with our senior team about your project and its planning"
time_zone = "Europe/London"
durations = [30]
hours = { mon = ["10:00-16:00"], tue = ["10:00-16:00"], wed = ["10:00-16:00"], thu = ["10:00-16:00"], fri = ["10:00-16:00"] }
`;

let proxy;
let host;
let browser;
let body = '';

before(async () => {
  host = await startHost((base) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Host page</title><link rel="stylesheet" href="/host.css">
<script src="${base}/widget.js" defer></script></head><body>${body}</body></html>`);
  proxy = await startProxy(INTRO_PROFILE + OTHER_PROFILE, { origins: [host.origin] });
  host.setProxy(proxy.base);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await proxy?.stop();
  await host?.stop();
});

/// Opens the host page with `markup` in its body; collects console errors and CSP reports.
async function openHost(markup, { css = '', colorScheme = 'light', holdSlots = 0, viewport } = {}) {
  body = markup;
  host.setCss(css);
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris', colorScheme, viewport });
  if (holdSlots) {
    // Slots answer late, so a test can act while the request is out.
    await context.route('**/slots?*', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, holdSlots));
      await route.continue().catch(() => {});
    });
  }
  const page = await context.newPage();
  const problems = [];
  // How each of the widget's files came over the wire.
  const encodings = {};
  page.on('response', (r) => {
    const file = new URL(r.url()).pathname.match(/(widget\.js|\.js|_bg\.wasm)$/)?.[1];
    if (file && r.url().startsWith(proxy.base)) encodings[file] = r.headers()['content-encoding'];
  });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.addInitScript(() => {
    window.__events = [];
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    for (const name of ['ready', 'slots-loaded', 'slot-selected', 'submitted', 'created', 'failed']) {
      document.addEventListener(`booking:${name}`, (e) => window.__events.push({ type: e.type, target: e.target.id, detail: e.detail }));
    }
  });
  await page.goto(host.origin);
  return { page, problems, encodings, close: () => context.close() };
}

test('inline: books end to end under a strict CSP and sends the six events', async () => {
  const { page, problems, encodings, close } = await openHost('<booking-widget id="w" profile="intro"></booking-widget>');
  const w = new Widget(page.locator('#w'));
  await w.ready();
  // The payload comes compressed: its brotli copies, and the loader compressed on the way.
  assert.deepEqual(encodings, { 'widget.js': 'br', '.js': 'br', '_bg.wasm': 'br' });
  // A 409 first, for booking:failed: book the chosen time through the API behind its back.
  // A day after today, which has other times once this one is taken.
  const start = await w.pickFirstTime({ later: true });
  await w.fillIn();
  assert.equal(await bookThroughApi(proxy.base, 'intro', new Date(start).toISOString()), 201);
  await w.primary.click();
  await w.alerting('just taken').waitFor({ timeout: 15_000 });
  await page.waitForFunction(([taken, slot]) => {
    const starts = [...document.getElementById('w').shadowRoot.querySelectorAll(slot)].map((e) => e.dataset.start);
    return starts.length > 0 && !starts.includes(taken);
  }, [start, SEL.slot], { timeout: 15_000 });
  await w.slot.first().click();
  await w.primary.click();
  await w.confirmation.waitFor({ timeout: 20_000 });
  await page.screenshot({ path: artifact('embed-light.png'), fullPage: true });

  const events = await page.evaluate(() => window.__events);
  const of = (type) => events.filter((e) => e.type === `booking:${type}`);
  assert.ok(events.every((e) => e.target === 'w'), 'dispatched on the element (composed)');
  assert.equal(of('ready')[0].detail.id, 'intro');
  // Late on its last free day, this month's answer has none and the next month's some.
  assert.ok(of('slots-loaded').some((e) => e.detail.count > 0));
  assert.equal(of('slot-selected')[0].detail.start, start);
  assert.equal(of('submitted').length, 2);
  assert.ok(!JSON.stringify(of('submitted')).includes('Ada'), 'no personal data in submitted');
  assert.equal(of('failed')[0].detail.code, 'slot_unavailable');
  assert.match(of('created')[0].detail.id, /^bk_/);
  assert.equal(of('created')[0].detail.status, 'confirmed');
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violation');
  // Chromium logs the 409 this test provokes; nothing else may be logged.
  assert.deepEqual(problems.filter((p) => !p.includes('status of 409')), []);
  await close();
});

test('a page whose origin the proxy does not allow is told how to fix it, in the console', async () => {
  const stranger = await startHost((base) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Not allowed</title><script src="${base}/widget.js" defer></script></head>
<body><booking-widget profile="intro"></booking-widget></body></html>`);
  stranger.setProxy(proxy.base);
  const page = await browser.newPage();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  try {
    await page.goto(stranger.origin);
    await new Widget(page.locator('booking-widget')).alerting('Could not reach').waitFor({ timeout: 15_000 });
    const hints = warnings.filter((w) => w.includes('server.allowed_origins'));
    assert.equal(hints.length, 1, warnings.join('\n'));
    assert.ok(hints[0].includes(stranger.origin) && hints[0].includes(proxy.base), hints[0]);
  } finally {
    await page.close();
    await stranger.stop();
  }
});

test('popup: a button opens a modal dialog; Escape closes it and focus returns', async () => {
  const { page, close } = await openHost('<booking-widget id="p" profile="intro" mode="popup" label="Book a call"></booking-widget>');
  const button = new Widget(page.locator('#p')).launcher;
  await button.waitFor({ timeout: 20_000 });
  assert.equal(await button.textContent(), 'Book a call');
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__events.length), 0, 'nothing loads until it is opened');
  await button.click();
  const dialog = page.locator('#p dialog');
  await new Widget(dialog).ready();
  assert.equal(await dialog.evaluate((d) => d.open), true);
  assert.ok(await page.evaluate(() => document.querySelector('#p').shadowRoot.querySelector('dialog').matches(':modal')));
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('#p').shadowRoot.querySelector('dialog').open);
  assert.equal((await focused(page)).text, 'Book a call', 'focus is back on the button');
  // Booked in the dialog, "Done" closes it.
  await button.click();
  const inDialog = new Widget(dialog);
  await inDialog.book();
  await inDialog.confirmation.getByRole('button', { name: 'Done' }).click();
  await page.waitForFunction(() => !document.querySelector('#p').shadowRoot.querySelector('dialog').open);
  assert.equal((await focused(page)).text, 'Book a call', 'focus is back on the button');
  await close();
});

/// The open dialog of the launcher in `el`, measured in viewport pixels: the dialog, the
/// widget's card in it, the close button, and the line boxes of the heading's text.
async function dialogGeometry(page, w) {
  const box = async (l) => {
    const b = await l.boundingBox();
    return { left: b.x, top: b.y, right: b.x + b.width, bottom: b.y + b.height, width: b.width, height: b.height };
  };
  const heading = await w.dialog.locator(SEL.title).evaluate((h) => {
    const range = document.createRange();
    range.selectNodeContents(h);
    return [...range.getClientRects()].map((r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom }));
  });
  return {
    viewport: page.viewportSize(),
    dialog: await box(w.dialog),
    card: await box(w.dialog.locator(SEL.root)),
    close: await box(w.closeButton),
    heading,
  };
}

const inside = (a, b) => a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

for (const [mode, width, height, shot] of [
  ['popup', 1280, 800, 'popup-desktop.png'], ['popup', 390, 844, 'popup-mobile.png'],
  ['floating', 1280, 800, null], ['floating', 390, 844, null],
]) {
  test(`${mode} at ${width}x${height}: a centred card with its close button in its top corner`, async () => {
    const { page, problems, close } = await openHost(
      `<booking-widget id="c" profile="long" mode="${mode}"></booking-widget>`, { viewport: { width, height } });
    const w = new Widget(page.locator('#c'));
    await w.launcher.click({ timeout: 20_000 });
    await new Widget(w.dialog).ready();
    await page.screenshot({ path: artifact(shot ?? `${mode}-${width}.png`) });
    if (shot && process.env.UPDATE_SCREENSHOTS) {
      mkdirSync(join(ROOT, 'docs/screenshots'), { recursive: true });
      copyFileSync(artifact(shot), join(ROOT, 'docs/screenshots', shot));
    }
    const g = await dialogGeometry(page, w);
    const at = JSON.stringify(g);
    // The dialog is the card: the widget's card fills it, edge to edge (a card taller than
    // the dialog scrolls in it, its bottom below the dialog's).
    for (const side of ['left', 'top', 'right']) {
      assert.ok(Math.abs(g.card[side] - g.dialog[side]) <= 1, `card and dialog share the ${side} edge: ${at}`);
    }
    assert.ok(g.card.bottom - g.dialog.bottom >= -1, `the card fills the dialog down: ${at}`);
    if (g.card.height <= g.dialog.height + 1) assert.ok(Math.abs(g.card.bottom - g.dialog.bottom) <= 1, `card and dialog share the bottom edge: ${at}`);
    assert.ok(inside(g.close, g.dialog) && inside(g.close, g.card), `the close button is in the card: ${at}`);
    assert.ok(g.close.width >= 44 && g.close.height >= 44, `a 44x44 target at least: ${at}`);
    // In the top corner at the end of the line: the right in a left-to-right page.
    assert.ok(g.card.right - g.close.right <= 16 && g.close.top - g.card.top <= 16, `top right corner: ${at}`);
    assert.equal(g.heading.filter((r) => overlap(r, g.close)).length, 0, `the heading's text is clear of it: ${at}`);
    const [leftGap, rightGap] = [g.card.left, g.viewport.width - g.card.right];
    assert.ok(Math.abs(leftGap - rightGap) <= 2, `centred across: ${at}`);
    assert.ok(leftGap >= 0 && rightGap >= 0, `within the viewport: ${at}`);
    if (g.card.height < g.viewport.height - 40) {
      assert.ok(Math.abs(g.card.top - (g.viewport.height - g.card.bottom)) <= 2, `centred down: ${at}`);
    } else {
      assert.ok(width < 800, `shorter than a desktop viewport: ${at}`);
      assert.ok(g.dialog.top >= 0 && g.dialog.bottom <= g.viewport.height, `the dialog scrolls within the viewport: ${at}`);
    }
    assert.deepEqual(await axeViolations(page), [], 'the open dialog');
    // The keyboard's focus on it shows (the widget's ring, not the browser's faint one).
    await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === '×');
    const ring = await w.closeButton.evaluate((b) => [b.matches(':focus-visible'), getComputedStyle(b).outlineStyle, parseFloat(getComputedStyle(b).outlineWidth)]);
    assert.deepEqual(ring.slice(0, 2), [true, 'solid']);
    assert.ok(ring[2] >= 2, `a ring 2px wide at least: ${ring}`);
    await w.closeButton.click();
    await page.waitForFunction(() => !document.querySelector('#c').shadowRoot.querySelector('dialog').open);
    assert.deepEqual(problems, []);
    await close();
  });
}

test('popup in a right-to-left page: the close button in the top left corner, clear of the heading', async () => {
  const { page, close } = await openHost(
    '<booking-widget id="c" profile="long" mode="popup" locale="ar" dir="rtl"></booking-widget>', { viewport: { width: 1280, height: 800 } });
  const w = new Widget(page.locator('#c'));
  await w.launcher.click({ timeout: 20_000 });
  await new Widget(w.dialog).ready();
  const g = await dialogGeometry(page, w);
  const at = JSON.stringify(g);
  assert.ok(inside(g.close, g.card), `the close button is in the card: ${at}`);
  assert.ok(g.close.left - g.card.left <= 16 && g.close.top - g.card.top <= 16, `top left corner: ${at}`);
  assert.equal(g.heading.filter((r) => overlap(r, g.close)).length, 0, `the heading's text is clear of it: ${at}`);
  await close();
});

/// axe's rules on repeated landmarks, whatever their impact: several widgets on a page must
/// not give it several banners or same-named regions.
async function landmarkViolations(page) {
  await axeViolations(page);
  const rules = ['landmark-unique', 'landmark-no-duplicate-banner', 'landmark-no-duplicate-contentinfo',
    'landmark-banner-is-top-level', 'landmark-contentinfo-is-top-level'];
  return page.evaluate(async (rules) => (await window.axe.run(document, { runOnly: { type: 'rule', values: rules } }))
    .violations.map((v) => v.id), rules);
}

test('two widgets on one page book independently', async () => {
  const { page, close } = await openHost(
    '<booking-widget id="a" profile="intro"></booking-widget><booking-widget id="b" profile="other"></booking-widget>'
    + '<booking-widget id="c" profile="intro"></booking-widget>');
  await new Widget(page.locator('#c')).ready();
  assert.deepEqual(await landmarkViolations(page), []);
  await new Widget(page.locator('#a')).book();
  assert.equal(await new Widget(page.locator('#c')).confirmation.count(), 0, 'the other is untouched');
  await new Widget(page.locator('#b')).book();
  assert.deepEqual(await landmarkViolations(page), [], 'two confirmations');
  const created = await page.evaluate(() => window.__events.filter((e) => e.type === 'booking:created').map((e) => e.target));
  assert.deepEqual(created, ['a', 'b']);
  assert.equal(await new Widget(page.locator('#c')).confirmation.count(), 0);
  assert.equal(await new Widget(page.locator('#a')).confirmation.getByRole('button', { name: 'Done' }).count(), 0,
    'no dialog to close inline');
  await close();
});

test('hostile host CSS does not reach in; a custom property themes the primary button', async () => {
  const css = `* { color: red !important; all: revert } button { display: none }
    booking-widget { --bw-accent: rgb(200, 0, 100); --bw-radius: 0px; }`;
  const { page, close } = await openHost('<booking-widget id="h" profile="intro"></booking-widget>', { css });
  const w = new Widget(page.locator('#h'));
  const day = w.freeDay.first();
  await day.waitFor({ timeout: 20_000 });
  assert.ok(await day.isVisible(), 'buttons are not hidden by the host');
  assert.notEqual(await day.evaluate((d) => getComputedStyle(d).color), 'rgb(255, 0, 0)');
  await w.pickFirstTime();
  const primary = w.primary;
  assert.equal(await primary.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(200, 0, 100)');
  assert.equal(await primary.evaluate((b) => getComputedStyle(b).borderTopLeftRadius), '0px');
  await page.screenshot({ path: artifact('embed-custom-theme.png'), fullPage: true });
  await close();
});

test('the focus ring follows --bw-accent, and nothing around the times clips it', async () => {
  const css = 'booking-widget { --bw-accent: rgb(10, 125, 50); }';
  const { page, close } = await openHost('<booking-widget id="f" profile="intro"></booking-widget>', { css });
  const w = new Widget(page.locator('#f'));
  await w.freeDay.first().click({ timeout: 20_000 });
  const slot = w.slot.first();
  await slot.waitFor();
  const focus = await slot.evaluate((el) => getComputedStyle(el).getPropertyValue('--_focus').trim());
  assert.equal(focus, 'rgb(10, 125, 50)', 'no --bw-focus: the ring takes the accent');
  // The times grow with the page: no box between a time and the widget scrolls or clips,
  // so a focused time's ring (3px, 2px off the edge) is drawn whole.
  const clipping = await slot.evaluate((el) => {
    const boxes = [];
    for (let node = el.parentElement; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible') boxes.push(node.className);
    }
    return boxes;
  });
  assert.deepEqual(clipping, []);
  await close();
});

test('dark theme, and auto follows the system', async () => {
  const { page, close } = await openHost('<booking-widget id="d" profile="intro" theme="auto"></booking-widget>', { colorScheme: 'dark' });
  const w = new Widget(page.locator('#d'));
  const root = w.root;
  await w.ready();
  assert.equal(await root.evaluate((r) => getComputedStyle(r).backgroundColor), 'rgb(21, 24, 30)');
  await page.screenshot({ path: artifact('embed-dark.png'), fullPage: true });
  await page.locator('#d').evaluate((el) => el.setAttribute('theme', 'light'));
  await page.waitForFunction((sel) => getComputedStyle(document.querySelector('#d').shadowRoot.querySelector(sel)).backgroundColor === 'rgb(255, 255, 255)', SEL.root);
  await close();
});

test('attributes take effect after mount; removing the element unmounts cleanly', async () => {
  const { page, problems, close } = await openHost('<booking-widget id="r" profile="intro"></booking-widget>');
  const el = page.locator('#r');
  const w = new Widget(el);
  await w.titled('Intro call').waitFor({ timeout: 20_000 });
  await el.evaluate((e) => e.setAttribute('profile', 'other'));
  await w.titled('Second opinion').waitFor({ timeout: 20_000 });
  await el.evaluate((e) => e.setAttribute('locale', 'de-DE'));
  await w.timesTitle.filter({ hasText: 'Zeiten am' }).waitFor({ timeout: 20_000 });
  await el.evaluate((e) => e.prefill({ name: 'Grace Hopper', email: 'grace@example.com' }));
  await w.pickFirstTime();
  assert.equal(await w.field('name').inputValue(), 'Grace Hopper');
  const before = await page.evaluate(() => window.__events.length);
  await el.evaluate((e) => e.remove());
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__events.length), before, 'a removed widget sends nothing');
  assert.deepEqual(problems, []);
  await close();
});

test('removing the element while its slots are loading leaves no error behind', async () => {
  const { page, problems, close } = await openHost('<booking-widget id="q" profile="intro"></booking-widget>', { holdSlots: 1000 });
  const w = page.locator('#q');
  await new Widget(w).titled('Intro call').waitFor({ timeout: 20_000 });
  await page.waitForTimeout(200);
  await w.evaluate((el) => el.remove());
  await page.waitForTimeout(1500);
  assert.deepEqual(problems, []);
  await close();
});

test('prefill from the page URL, unless the element turns it off; odd values are left out', async () => {
  // `null` and an object are what an app's state may hold: those answers are left out.
  const prefill = JSON.stringify({ name: 'Grace Hopper', fields: { topic: 'Compilers', company: null, team_size: { a: 1 } } });
  body = `<booking-widget id="u" profile="intro"></booking-widget><booking-widget id="n" profile="intro" prefill-from-url="false" prefill='${prefill}'></booking-widget>`;
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${host.origin}/?name=Ada%20Lovelace&email=ada%40example.com&topic=Engines`);
  const [u, n] = [new Widget(page.locator('#u')), new Widget(page.locator('#n'))];
  for (const w of [u, n]) await w.pickFirstTime();
  assert.equal(await u.field('name').inputValue(), 'Ada Lovelace');
  assert.equal(await u.field('email').inputValue(), 'ada@example.com');
  assert.equal(await u.field('topic').inputValue(), 'Engines');
  assert.equal(await n.field('name').inputValue(), 'Grace Hopper', 'not the URL\'s name');
  assert.equal(await n.field('email').inputValue(), '');
  assert.equal(await n.field('topic').inputValue(), 'Compilers');
  assert.deepEqual(problems, []);
  await context.close();
});

test('floating: a fixed corner button opens the same dialog', async () => {
  const { page, close } = await openHost('<booking-widget id="f" profile="intro" mode="floating" label="Book now"></booking-widget>');
  const button = new Widget(page.locator('#f')).launcher;
  await button.waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#f').evaluate((el) => getComputedStyle(el).position), 'fixed');
  const box = await button.boundingBox();
  const viewport = page.viewportSize();
  assert.ok(box.x + box.width > viewport.width - 60 && box.y + box.height > viewport.height - 60, 'bottom corner');
  assert.equal(await button.textContent(), 'Book now');
  await button.click();
  await new Widget(page.locator('#f dialog')).ready();
  await close();
});

/// Resolves after two animation frames: whatever a change set off has been drawn.
const frames = (page) => page.evaluate(() => new Promise((done) => {
  requestAnimationFrame(() => requestAnimationFrame(done));
}));

test('zone, clock, theme, prefill and language change in place: the visitor stays on their step', async () => {
  const { page, problems, close } = await openHost(
    '<booking-widget id="i" profile="intro" time-zone="Europe/Paris" hour-cycle="h23"></booking-widget>');
  const el = page.locator('#i');
  const w = new Widget(el);
  const readies = () => page.evaluate(() => window.__events.filter((e) => e.type === 'booking:ready').length);
  await w.freeDay.first().click({ timeout: 20_000 });
  const day = await w.timesTitle.textContent();
  const paris = await w.slot.first().textContent();
  assert.match(paris, /^\d{2}:\d{2}$/);
  await el.evaluate((e) => e.setAttribute('time-zone', 'America/New_York'));
  await page.waitForFunction(([sel, before]) => {
    const first = document.querySelector('#i').shadowRoot.querySelector(sel);
    return first && first.textContent !== before;
  }, [SEL.slot, paris], { timeout: 15_000 });
  assert.equal(await w.zone.inputValue(), 'America/New_York', 'the picker shows the new zone');
  assert.equal(await w.timesTitle.textContent(), day, 'the chosen day stays');
  // The visitor's own zone stays when the page changes something else.
  await w.zone.fill('Europe/London');
  await el.evaluate((e) => e.setAttribute('hour-cycle', 'h12'));
  await w.slot.first().filter({ hasText: /\b(am|pm)\b/i }).waitFor({ timeout: 5_000 });
  assert.equal(await w.zone.inputValue(), 'Europe/London', 'the visitor\'s zone stays');
  await el.evaluate((e) => e.setAttribute('theme', 'dark'));
  await page.waitForFunction((sel) => getComputedStyle(document.querySelector('#i').shadowRoot.querySelector(sel)).backgroundColor === 'rgb(21, 24, 30)', SEL.root);
  assert.equal(await w.timesTitle.textContent(), day, 'still on the same day');

  await w.slot.first().click();
  await w.field('topic').fill('Pricing');
  await el.evaluate((e) => e.prefill({ name: 'Grace Hopper' }));
  await page.waitForFunction((sel) => document.querySelector('#i').shadowRoot.querySelector(sel)?.value === 'Grace Hopper', SEL.field('name'));
  assert.equal(await w.field('topic').inputValue(), 'Pricing', 'the other answers stay');
  // The same values again: nothing is drawn again (the form keeps its elements).
  await el.evaluate((e) => { e.shadowRoot.querySelector('form').dataset.seen = '1'; e.prefill({ name: 'Grace Hopper' }); });
  await frames(page);
  assert.equal(await w.scope.locator('form[data-seen="1"]').count(), 1, 'nothing changed');
  await el.evaluate((e) => e.setAttribute('locale', 'de-DE'));
  await w.formTitle.filter({ hasText: 'Ihre Angaben' }).waitFor({ timeout: 5_000 });
  assert.equal(await w.field('name').inputValue(), 'Grace Hopper');
  assert.equal(await w.field('topic').inputValue(), 'Pricing');
  assert.equal(await w.root.getAttribute('lang'), 'de-DE');
  assert.equal(await readies(), 1, 'never mounted again');
  assert.deepEqual(problems, []);
  await close();
});

test('the launcher and its dialog follow theme="dark", with the same tokens as the widget', async () => {
  const { page, close } = await openHost('<booking-widget id="k" profile="intro" mode="popup" theme="dark"></booking-widget>');
  const w = new Widget(page.locator('#k'));
  await w.launcher.waitFor({ timeout: 20_000 });
  const colours = (l) => l.evaluate((e) => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]);
  // --bw-accent-contrast and --bw-accent of the dark column (docs/theming.md).
  assert.deepEqual(await colours(w.launcher), ['rgb(11, 18, 32)', 'rgb(138, 180, 255)']);
  await w.launcher.click();
  await new Widget(w.dialog).ready();
  // The close button: --bw-text on --bw-surface, dark.
  assert.deepEqual(await colours(w.closeButton), ['rgb(238, 240, 243)', 'rgb(32, 36, 44)']);
  await page.keyboard.press('Escape');
  await page.locator('#k').evaluate((e) => e.setAttribute('theme', 'light'));
  assert.deepEqual(await colours(w.launcher), ['rgb(255, 255, 255)', 'rgb(29, 78, 216)']);
  await close();
});
