// A booking's whole life through the widget: book, open the private manage link, move the
// booking, cancel it; with the local provider and each remote provider's fake, whose calls
// are checked against what its documentation prescribes. Then the embed's manage mode and
// its events, the host's rules, other languages, and holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startProxy, startFakes, startHost, answerRequired, launchBrowser, axeViolations, tabTo,
  focused, remoteProfiles, INTRO_PROFILE, KEYS, ROOT,
} from './support.mjs';
import { Widget, SEL } from './widget-page.mjs';

let fakes;
let proxy;
let browser;
let host;

before(async () => {
  fakes = startFakes();
  const url = await fakes.urls;
  Object.assign(process.env, KEYS);
  // A host page on its own origin, which the proxy allows.
  host = await startHost((base) => `<!doctype html><html lang="en"><head><title>Host</title>
<script src="${base}/widget.js" defer></script></head><body><main>
<booking-widget profile="intro"></booking-widget></main></body></html>`);
  // Every visitor here is 127.0.0.1: the per-client limits are raised.
  proxy = await startProxy(`[limits]
bookings_per_minute = 1000
${INTRO_PROFILE}
[profiles.strict]
provider = "local"
title = "Strict call"
time_zone = "Europe/London"
durations = [30]
hours = { mon = ["09:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"], thu = ["09:00-17:00"], fri = ["09:00-17:00"] }
allow_cancel = false
allow_reschedule = false

[profiles.held]
provider = "local"
title = "Held call"
time_zone = "UTC"
durations = [30]
hold_minutes = 10
hours = { mon = ["09:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"], thu = ["09:00-17:00"], fri = ["09:00-17:00"] }

${remoteProfiles(url)}`, { origins: [host.origin] });
  host.setProxy(proxy.base);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await proxy?.stop();
  await host?.stop();
  fakes?.child.kill('SIGTERM');
});

const TOKEN = /\/manage\/([A-Za-z0-9_-]{22,})$/;

/// Books the first free time of `profile` on its page; resolves to the manage link.
async function bookOnPage(page, profile) {
  await page.goto(`${proxy.base}/book/${profile}`);
  const w = new Widget(page);
  await w.pickFirstTime();
  await w.formTitle.waitFor();
  await w.fillIn();
  await answerRequired(page);
  await w.primary.click();
  await w.manageLink.waitFor({ timeout: 20_000 });
  const link = await w.manageLink.getAttribute('href');
  assert.ok(link.startsWith(`${proxy.base}/book/${profile}/manage/`) && TOKEN.test(link), link);
  return link;
}

/// The booking behind a manage link, as the API tells it.
async function managed(link) {
  const token = link.match(TOKEN)[1];
  return (await fetch(`${proxy.base}/api/v1/bookings/${token}`)).json();
}

/// Moves the booking shown to another time on the first free day after today; resolves to
/// the new start.
async function moveIt(page) {
  const w = new Widget(page);
  await w.button('Reschedule').click();
  // A day after today, turning the month if need be: late in the day the booking may
  // hold today's last time, and today the month's last free day.
  await w.pickLaterDay();
  await page.locator(SEL.slot).first().waitFor();
  const other = page.locator(`${SEL.slot}:not([aria-current])`).first();
  const start = await other.getAttribute('data-start');
  await other.click();
  await w.formTitle.waitFor();
  assert.equal(await w.formTitle.textContent(), 'Move your booking?');
  assert.deepEqual(await axeViolations(page), [], 'the move confirmation');
  const answer = page.waitForResponse((r) => r.url().endsWith('/reschedule'));
  await w.primary.click();
  assert.equal((await answer).status(), 200);
  await w.doneTitle.waitFor({ timeout: 20_000 });
  assert.equal(await w.doneTitle.textContent(), 'Your booking has moved');
  return start;
}

/// Cancels the booking shown, with a reason, by keyboard.
async function cancelIt(page) {
  const w = new Widget(page);
  await tabTo(page, (f) => f.text === 'Cancel booking');
  await page.keyboard.press('Enter');
  await w.scope.locator(SEL.manageTitle, { hasText: 'Cancel this booking?' }).waitFor();
  // Focus moves on the next frame.
  await until(async () => (await focused(page))?.text === 'Cancel this booking?', 5_000, 'focus on the question');
  assert.deepEqual(await axeViolations(page), [], 'the cancel form');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Something came up');
  const answer = page.waitForResponse((r) => r.url().endsWith('/cancel'));
  await tabTo(page, (f) => f.text === 'Cancel booking');
  await page.keyboard.press('Enter');
  assert.equal((await answer).status(), 200);
  await w.scope.locator(SEL.manageState, { hasText: 'This booking is cancelled.' }).waitFor();
  assert.equal(await w.button('Cancel booking').count(), 0, 'nothing left to do');
  assert.equal(await w.button('Reschedule').count(), 0);
}

/// The provider's writes (every call but reads), as "METHOD /path".
const writes = (name) => fakes.calls(name).filter((c) => !c.startsWith('GET '));

const PRESCRIBED = {
  // Cal.com: create, reschedule (which answers a new uid), cancel that new uid.
  calcom: [/^POST \/v2\/bookings$/, /^POST \/v2\/bookings\/([^/]+)\/reschedule$/, /^POST \/v2\/bookings\/([^/]+)\/cancel$/],
  // Aurinko: the booking page's meeting; no reschedule; cancel deletes the calendar event.
  aurinko: [/^POST \/v1\/book\/account\/profiles\/1234\/meeting$/, /^DELETE \/v1\/calendars\/primary\/events\/[^/]+$/],
  jicoo: [/^POST \/v1\/bookings$/, /^POST \/v1\/bookings\/([^/]+)\/reschedule$/, /^POST \/v1\/bookings\/([^/]+)\/cancel$/],
  // Vyte: create; move = PUT of the dates, then confirm; cancel.
  vyte: [/^POST \/v2\/events$/, /^PUT \/v2\/events\/([^/]+)$/, /^POST \/v2\/events\/([^/]+)\/confirm$/, /^POST \/v2\/events\/([^/]+)\/cancel$/],
};

for (const profile of ['intro', 'calcom', 'aurinko', 'jicoo', 'vyte']) {
  test(`book, move and cancel through ${profile} from the manage link`, async () => {
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const before = profile === 'intro' ? [] : writes(profile);
    try {
      const link = await bookOnPage(page, profile);
      const w = new Widget(page);
      // "Add to calendar": the services' pages carry the manage link; the proxy's file is
      // the booking, whichever provider has it.
      await w.scope.getByText('Add to calendar').click();
      const google = new URL(await w.scope.getByRole('link', { name: 'Google' }).getAttribute('href'));
      assert.ok(google.searchParams.get('details').endsWith(`\n${link}`), google.href);
      const download = page.waitForEvent('download');
      await w.scope.locator('a[href$="/calendar"]').click();
      const ics = readFileSync(await (await download).path(), 'utf8');
      for (const line of ics.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, line);
      assert.match(ics, /\r\nDTSTART:\d{8}T\d{6}Z\r\n/, ics);
      assert.match(ics, /\r\nSTATUS:(CONFIRMED|TENTATIVE)\r\n/, ics);

      const wasm = page.waitForRequest((r) => r.url().endsWith('.wasm'));
      const response = await page.goto(link);
      assert.match(new URL((await wasm).url()).pathname, /^\/manage\/booking-widget-[0-9a-f]+_bg\.wasm$/, 'the manage bundle');
      assert.equal(response.headers()['referrer-policy'], 'no-referrer');
      assert.equal(response.headers()['cache-control'], 'no-store');
      await w.manageTitle.waitFor({ timeout: 20_000 });
      assert.equal(await w.manageTitle.textContent(), 'Your booking');
      assert.deepEqual(await axeViolations(page), [], 'the manage page');

      const booked = await managed(link);
      if (profile === 'aurinko') {
        // Aurinko offers no reschedule: the widget offers none either.
        assert.equal(booked.can_reschedule, false);
        assert.equal(await w.button('Reschedule').count(), 0);
      } else {
        const start = await moveIt(page);
        const moved = await managed(link);
        assert.equal(Date.parse(moved.start), Date.parse(start), 'the booking is at its new time');
        assert.notEqual(Date.parse(moved.start), Date.parse(booked.start));
        assert.equal(moved.id, booked.id, 'the same booking for the visitor');
        await page.goto(link);
        await w.manageTitle.waitFor({ timeout: 20_000 });
      }
      await cancelIt(page);
      assert.equal((await managed(link)).status, 'cancelled');

      if (profile !== 'intro') {
        const calls = writes(profile).slice(before.length);
        const want = PRESCRIBED[profile];
        assert.equal(calls.length, want.length, `${profile} received ${calls.join(', ')}`);
        want.forEach((pattern, i) => assert.match(calls[i], pattern, `${profile} call ${i}: ${calls.join(', ')}`));
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('an embedded widget manages the booking of its manage attribute or of ?booking_token=, and tells the page', async () => {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Asia/Tokyo' });
  try {
    const page = await context.newPage();
    // A booking made through the API: its token is the only credential.
    const link = await bookThroughPage(context);
    const token = link.match(TOKEN)[1];
    await page.goto(`${host.origin}/?booking_token=${token}`);
    const w = new Widget(page.locator('booking-widget'));
    await w.manageTitle.waitFor({ timeout: 20_000 });
    await page.evaluate(() => {
      window.seen = [];
      for (const type of ['booking:rescheduled', 'booking:cancelled']) {
        document.addEventListener(type, (e) => window.seen.push({ type, id: e.detail.id, status: e.detail.status, start: e.detail.start }));
      }
    });
    const start = await moveIt(page);
    // The manage attribute does the same.
    await page.evaluate((t) => {
      const el = document.querySelector('booking-widget');
      el.setAttribute('manage', t);
    }, token);
    await w.button('Reschedule').waitFor({ timeout: 20_000 });
    await cancelIt(page);
    const seen = await page.evaluate(() => window.seen);
    assert.deepEqual(seen.map((e) => e.type), ['booking:rescheduled', 'booking:cancelled']);
    assert.equal(Date.parse(seen[0].start), Date.parse(start));
    assert.equal(seen[1].status, 'cancelled');
    assert.equal(seen[0].id, seen[1].id);
  } finally {
    await context.close();
  }
});

/// Books intro's first free time on its page in a page of its own; resolves to the link.
async function bookThroughPage(context) {
  const page = await context.newPage();
  try {
    return await bookOnPage(page, 'intro');
  } finally {
    await page.close();
  }
}

test("the host's rules and the visitor's language: nothing to change, said in Japanese and Arabic", async () => {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/London' });
  try {
    const page = await context.newPage();
    const link = await bookOnPage(page, 'strict');
    const w = new Widget(page);
    await page.goto(link);
    await w.manageState.waitFor({ timeout: 20_000 });
    assert.equal(await w.manageState.textContent(), 'This booking can no longer be changed here.');
    assert.equal(await w.button('Cancel booking').count(), 0);
    assert.equal(await w.button('Reschedule').count(), 0);
    // The proxy refuses whatever the widget shows.
    const token = link.match(TOKEN)[1];
    const refused = await fetch(`${proxy.base}/api/v1/bookings/${token}/cancel`, { method: 'POST' });
    assert.equal(refused.status, 409);
    assert.equal((await refused.json()).error.code, 'not_allowed');
    for (const [locale, title, state, dir] of [
      ['ja', 'ご予約', 'この予約はここでは変更できません。', 'ltr'],
      ['ar', 'حجزك', 'لم يعد من الممكن تغيير هذا الحجز هنا.', 'rtl'],
    ]) {
      await page.goto(`${link}?locale=${locale}`);
      await w.manageState.waitFor({ timeout: 20_000 });
      assert.equal(await w.manageTitle.textContent(), title);
      assert.equal(await w.manageState.textContent(), state);
      assert.equal(await w.root.getAttribute('dir'), dir);
      assert.deepEqual(await axeViolations(page), [], locale);
    }
    // An unknown token: the proxy's 404, told, with a way to try again.
    await page.goto(`${proxy.base}/book/strict/manage/${'x'.repeat(43)}`);
    await w.error.waitFor({ timeout: 20_000 });
  } finally {
    await context.close();
  }
});

/** Whether the held profile offers `start` now, as the API says. */
async function offered(start) {
  const day = start.slice(0, 10);
  const body = await (await fetch(`${proxy.base}/api/v1/profiles/held/slots?from=${day}&to=${day}`)).json();
  return body.slots.some((s) => Date.parse(s.start) === Date.parse(start));
}

/** Whether `start` is offered again within 5 s (a release is sent, not waited for). */
async function freed(start) {
  const deadline = Date.now() + 5_000;
  while (!(await offered(start)) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
  return offered(start);
}

test('a chosen time is held while the visitor fills the form: hidden from others, let go on going back, booked with the hold', async () => {
  const ada = await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC' });
  const bob = await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC' });
  try {
    const a = await ada.newPage();
    await a.goto(`${proxy.base}/book/held`);
    const wa = new Widget(a);
    const placed = a.waitForResponse((r) => r.url().endsWith('/holds') && r.request().method() === 'POST');
    // The day's last time: the first may pass the minimum notice while the test runs.
    const start = await wa.pickFirstTime({ last: true });
    assert.equal((await placed).status(), 201);
    await wa.formTitle.waitFor();

    // Bob does not see Ada's time.
    const b = await bob.newPage();
    await b.goto(`${proxy.base}/book/held`);
    const wb = new Widget(b);
    await wb.freeDay.first().click({ timeout: 20_000 });
    await wb.slot.first().waitFor();
    const starts = await wb.slot.evaluateAll((els) => els.map((e) => e.dataset.start));
    assert.ok(!starts.includes(start), `${start} hidden from Bob: ${starts}`);

    // Ada goes back: the hold is let go, and Bob sees the time again.
    const released = a.waitForRequest((r) => r.method() === 'DELETE' && r.url().includes('/api/v1/holds/'));
    await wa.button('Change').click();
    await released;
    assert.ok(await freed(start), `${start} offered again`);
    await b.reload();
    await wb.freeDay.first().click({ timeout: 20_000 });
    await wb.scope.locator(`${SEL.slot}[data-start="${start}"]`).waitFor();

    // Ada picks it again and books it with her hold.
    const again = a.waitForResponse((r) => r.url().endsWith('/holds') && r.request().method() === 'POST');
    await wa.scope.locator(`${SEL.slot}[data-start="${start}"]`).click();
    const hold = (await (await again).json()).hold;
    await wa.fillIn();
    const booking = a.waitForRequest((r) => r.url().endsWith('/bookings'));
    await wa.primary.click();
    assert.equal(JSON.parse((await booking).postData()).hold, hold);
    await wa.confirmation.waitFor({ timeout: 20_000 });
  } finally {
    await ada.close();
    await bob.close();
  }
});

test('a hold is let go when its widget is removed and when its page closes', async () => {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC' });
  try {
    const page = await context.newPage();
    const bundles = [];
    page.on('request', (r) => { if (r.url().endsWith('.wasm')) bundles.push(new URL(r.url()).pathname); });
    await page.goto(host.origin);
    const holdOne = async () => {
      await page.evaluate(() => {
        document.querySelector('booking-widget')?.remove();
        const el = document.createElement('booking-widget');
        el.setAttribute('profile', 'held');
        document.querySelector('main').append(el);
      });
      const w = new Widget(page.locator('booking-widget'));
      const placed = page.waitForResponse((r) => r.url().endsWith('/holds') && r.request().method() === 'POST');
      const start = await w.pickFirstTime();
      assert.equal((await placed).status(), 201);
      assert.equal(await offered(start), false, 'held');
      return start;
    };
    // Removed from the page: the widget lets its hold go.
    const first = await holdOne();
    const released = page.waitForRequest((r) => r.method() === 'DELETE' && r.url().includes('/api/v1/holds/'));
    await page.evaluate(() => document.querySelector('booking-widget').remove());
    await released;
    assert.equal(await freed(first), true, 'released on removal');
    // The page closes: the loader removes its widgets, and the release is sent on the way out.
    const second = await holdOne();
    await page.close({ runBeforeUnload: true });
    assert.equal(await freed(second), true, 'released when the page closed');
    // A booking page loads the booking bundle only; the manage bundle is for manage pages.
    assert.ok(bundles.length > 0 && bundles.every((p) => !p.startsWith('/manage/')), bundles.join(', '));
  } finally {
    await context.close();
  }
});

/// A notification peer of the proxy's tests (proxy/tests/support/notify_peer.py, in the
/// project's Python environment): resolves once it listens, with its log's records.
async function notifyPeer(args, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bw-peer-'));
  const log = join(dir, 'log.jsonl');
  const child = spawn(join(ROOT, '.venv/bin/python'), [join(ROOT, 'proxy/tests/support/notify_peer.py'), ...args(dir, log)], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${args(dir, log)[0]} peer did not start in 20 s`)), 20_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening (\d+)/);
      if (m) { clearTimeout(timer); ok(Number(m[1])); }
    });
  });
  const records = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  return { dir, port, records, stop: () => child.kill('SIGTERM') };
}

/// Waits (up to `ms`) until `done()` holds.
async function until(done, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

test('a booking, a move and a cancel through the widget are told by email and signed webhooks, nothing lost across a SIGKILL', async () => {
  const secret = `whsec_${Buffer.from('booking-widget-e2e-secret-0123').toString('base64')}`;
  const freePort = await new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
  const hooks = await notifyPeer((dir, log) => ['webhooks', String(freePort), log, join(dir, 'control')], { WEBHOOK_SECRET: secret });
  const control = join(hooks.dir, 'control');
  const smtp = await notifyPeer((dir, log) => ['smtp', log]);
  // The receiver refuses at first: the created event waits in the outbox when the proxy dies.
  writeFileSync(control, '503');
  const told = await startProxy(`[[webhooks]]
url = "http://127.0.0.1:${hooks.port}/hooks"
secret_env = "BW_E2E_WEBHOOK_SECRET"

[email]
smtp_url = "smtp://127.0.0.1:${smtp.port}?tls=none"
from = "Bookings <bookings@example.com>"
${INTRO_PROFILE}`, { server: 'public_url = "https://book.example.com"', env: { BW_E2E_WEBHOOK_SECRET: secret } });
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
  try {
    const page = await context.newPage();
    await page.goto(`${told.base}/book/intro`);
    const w = new Widget(page);
    await w.pickFirstTime();
    await w.fillIn();
    await w.primary.click();
    await w.manageLink.waitFor({ timeout: 20_000 });
    const token = (await w.manageLink.getAttribute('href')).match(TOKEN)[1];
    // Killed once the created email is sent and the webhook's first attempt refused (a
    // message killed mid-delivery would wait for its 60-second lease to run out).
    await until(() => hooks.records().length > 0, 20_000, 'a first webhook attempt');
    await until(() => /event="booking.created" channel=email/.test(told.logs()), 20_000, 'the created email sent');
    await told.kill();
    writeFileSync(control, '200');
    await told.restart();

    await page.goto(`${told.base}/book/intro/manage/${token}`);
    await w.manageTitle.waitFor({ timeout: 20_000 });
    const moved = await moveIt(page);
    await page.goto(`${told.base}/book/intro/manage/${token}`);
    await w.manageTitle.waitFor({ timeout: 20_000 });
    await cancelIt(page);

    const delivered = () => hooks.records().filter((r) => r.answer === '200');
    await until(() => delivered().length >= 3, 40_000, 'three webhooks delivered');
    const hooksIn = delivered();
    assert.deepEqual(hooksIn.map((r) => r.body.type), ['booking.created', 'booking.rescheduled', 'booking.cancelled']);
    assert.ok(hooksIn.every((r) => r.verified === true), 'signed (the reference library verifies them)');
    assert.equal(hooks.records()[0].id, hooksIn[0].id, 'the retried created event keeps its webhook-id');
    assert.equal(new Set(hooksIn.map((r) => r.id)).size, 3);
    assert.equal(Date.parse(hooksIn[1].body.data.start), Date.parse(moved));
    assert.equal(hooksIn[2].body.data.reason, 'Something came up');

    const toAda = () => smtp.records().filter((m) => m.rcpt.includes('ada@example.com'));
    await until(() => toAda().length >= 3, 20_000, 'three emails to the visitor');
    const mails = toAda();
    assert.equal(mails.length, 3, mails.map((m) => m.subject).join(' | '));
    assert.deepEqual(mails.map((m) => m.calendar.method), ['REQUEST', 'REQUEST', 'CANCEL']);
    assert.equal(new Set(mails.map((m) => m.calendar.uid)).size, 1, 'one UID');
    const [a, b, c] = mails.map((m) => m.calendar.sequence);
    assert.ok(a < b && b < c, `SEQUENCE raised: ${a}, ${b}, ${c}`);
    assert.equal(Date.parse(mails[1].calendar.start), Date.parse(moved), 'the move at its new time');
    const link = `https://book.example.com/book/intro/manage/${token}`;
    assert.ok(mails.every((m) => m.text.includes(link) && m.calendar.url === link), 'the manage link in each');
  } finally {
    await context.close();
    await told.stop();
    hooks.stop();
    smtp.stop();
  }
});
