// The unchanged widget booking through each remote provider: booking-proxy in front of
// provider-fakes (Cal.com, Aurinko, Jicoo, Vyte fakes on free loopback ports).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy, startFakes, answerRequired, launchBrowser, artifact, KEYS, remoteProfiles } from './support.mjs';
import { Widget } from './widget-page.mjs';

let fakes;
let proxy;
let browser;

before(async () => {
  fakes = startFakes();
  const url = await fakes.urls;
  Object.assign(process.env, KEYS);
  proxy = await startProxy(remoteProfiles(url));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await proxy?.stop();
  fakes?.child.kill('SIGTERM');
});

for (const provider of ['calcom', 'aurinko', 'jicoo', 'vyte']) {
  test(`book through ${provider} with the unchanged widget`, async () => {
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${proxy.base}/book/${provider}`);
      const w = new Widget(page);
      await w.pickFirstTime();
      await w.formTitle.waitFor();
      await w.fillIn();
      await answerRequired(page);
      await page.screenshot({ path: artifact(`provider-${provider}-form.png`), fullPage: true });
      const answer = page.waitForResponse((r) => r.request().method() === 'POST');
      await w.primary.click();
      assert.equal((await answer).status(), 201, `${provider} booked`);
      const done = w.confirmation;
      await done.waitFor({ timeout: 15_000 });
      assert.match(await done.textContent(), /You're booked|Requested/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('a retry while the first attempt is still at the provider waits for its answer and books once', async () => {
  // Each fake holds its first POST for 3 s: the lost first attempt stays in flight.
  const slow = startFakes({ FAKES_SLOW_FIRST_POST_MS: '3000' });
  const url = await slow.urls;
  const slowProxy = await startProxy(`
[profiles.calcom]
provider = "calcom"
api_key_env = "CALCOM_API_KEY"
base_url = "${url.calcom}"
event_type_id = 1234
`);
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
  try {
    const page = await context.newPage();
    await page.goto(`${slowProxy.base}/book/calcom`);
    const w = new Widget(page);
    const start = await w.pickFirstTime();
    await w.fillIn();
    await answerRequired(page);
    const keys = [];
    const statuses = [];
    let first = null;
    await page.route('**/bookings', async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      if (!first) {
        first = route.fetch({ timeout: 20_000 }).catch(() => null); // reaches the proxy…
        await new Promise((ok) => setTimeout(ok, 300));
        return route.abort('connectionreset'); // …and the answer is lost
      }
      const response = await route.fetch();
      statuses.push(response.status());
      return route.fulfill({ response });
    });
    await w.primary.click();
    await w.noticing('Could not reach').waitFor({ timeout: 15_000 });
    await w.primary.click();
    await w.confirmation.waitFor({ timeout: 20_000 });
    assert.equal(statuses[0], 409, `the proxy said the first attempt was in progress: ${statuses}`);
    assert.equal(statuses.at(-1), 201, `then replayed its answer: ${statuses}`);
    assert.ok(keys.every((k) => k && k === keys[0]), `one Idempotency-Key: ${keys}`);
    assert.equal((await (await first)?.status()), 201, 'the lost attempt booked');
    // The time is taken now: the provider no longer offers it.
    const day = new Date(start).toISOString().slice(0, 10);
    const free = await (await fetch(`${slowProxy.base}/api/v1/profiles/calcom/slots?from=${day}&to=${day}`)).json();
    assert.ok(!free.slots.some((s) => Date.parse(s.start) === Date.parse(start)), 'the booked time is gone');
  } finally {
    await context.close();
    await slowProxy.stop();
    slow.child.kill('SIGTERM');
  }
});
