// Shared helpers for the end-to-end tests: a real booking-proxy on a free loopback port
// and Debian's Chromium driven by playwright-core. Nothing here reaches past 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { SEL } from './widget-page.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = join(ROOT, 'dist');
export const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
const PROXY = process.env.BOOKING_PROXY_BIN ?? join(ROOT, 'target/debug/booking-proxy');

/// Starts booking-proxy with `configToml` (its [server] table is added here, with the
/// lines `server` gives) and resolves once it prints its address. `stop()` ends it, `kill()`
/// ends it with SIGKILL, `restart()` starts it again on the same config and database (on a
/// new port: `base` follows). `assetsDir` defaults to the built widget; `database` to a
/// new SQLite file in the proxy's folder (`proxy.database` names it, for another instance).
export async function startProxy(profilesToml, { origins = [], assetsDir = DIST, server = '', env = {}, database } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bw-e2e-'));
  const db = database ?? join(dir, 'bookings.db');
  const config = `[server]
listen = "127.0.0.1:0"
allowed_origins = ${JSON.stringify(origins)}
database = "sqlite://${db}"
assets_dir = "${assetsDir}"
${server}

${profilesToml}`;
  const path = join(dir, 'proxy.toml');
  writeFileSync(path, config);
  let child;
  let stderr = '';
  const launch = () => new Promise((resolveBase, reject) => {
    child = spawn(PROXY, ['serve', '--config', path], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => reject(new Error(`proxy did not start in 20 s: ${stderr}`)), 20_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolveBase(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`proxy exited ${code}: ${stderr}`)); });
  });
  const end = (signal) => new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill(signal);
  });
  const proxy = {
    base: await launch(),
    dir,
    database: db,
    logs: () => stderr,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    restart: async () => { proxy.base = await launch(); return proxy.base; },
  };
  return proxy;
}

/// Debian's Chromium, headless, with the flags this closed network needs.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/// README's embed snippet, as written there: `html(origin, profile)` with the proxy's origin
/// and a profile, and `css`, the rule a host page puts in its stylesheet.
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const snippet = (lang) => README.slice(README.indexOf('## Embed it')).match(new RegExp(`\`\`\`${lang}\n([^]*?)\`\`\``))[1];
export const EMBED = {
  html: (origin, profile) => snippet('html').replaceAll('https://book.example.com', origin).replace('profile="intro"', `profile="${profile}"`),
  css: snippet('css'),
};

export function artifact(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/// A local profile `id` open around the clock, every day, its 30-minute slots starting
/// every `step` minutes: this month has free days whatever the hour the tests run.
export const openProfile = (id, step = 30) => `
[profiles.${id}]
provider = "local"
title = "Open"
time_zone = "UTC"
durations = [30]
slot_step = ${step}
horizon_days = 60
hours = { mon = ["00:00-24:00"], tue = ["00:00-24:00"], wed = ["00:00-24:00"], thu = ["00:00-24:00"], fri = ["00:00-24:00"], sat = ["00:00-24:00"], sun = ["00:00-24:00"] }
`;

export const OPEN_PROFILE = openProfile('open');

export const INTRO_PROFILE = `
[profiles.intro]
provider = "local"
title = "Intro call"
description = "A call about {{topic}}."
location = "Google Meet"
time_zone = "America/New_York"
durations = [30, 60]
hours = { mon = ["09:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"], thu = ["09:00-17:00"], fri = ["09:00-17:00"] }

[[profiles.intro.fields]]
name = "team_size"
label = "Team size"
kind = "select"
options = ["1-10", "11-50", "51+"]
required = true

[[profiles.intro.fields]]
name = "agenda"
label = "Agenda"
kind = "textarea"
`;

/// The element focused inside open shadow roots, described for assertions.
export async function focused(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a ? { tag: a.tagName, part: a.getAttribute('part'), id: a.id, text: a.textContent.trim() } : null;
  });
}

/// Waits (up to 5 s) until the focused element has the `part` given (or another attribute,
/// e.g. `id`): the widget moves focus on the next frame, once the new step is drawn.
export async function focusOn(page, part, attribute = 'part') {
  await page.waitForFunction(([want, name]) => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a?.getAttribute(name) === want;
  }, [part, attribute], { timeout: 5_000 }).catch(() => {});
  return focused(page);
}

/// Presses Tab until `test(focused)` holds (at most `max` times).
export async function tabTo(page, test, max = 25) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f && test(f)) return f;
  }
  throw new Error('focus never reached the target');
}

/// axe-core in the page: serious or critical violations, as "rule: count" strings.
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol rather than added as a <script>: the booking
  // page's Content-Security-Policy allows no inline script, and a test must not weaken it.
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    await page.evaluate(readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  }
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/// Books a slot straight through the API, as another visitor would.
export async function bookThroughApi(base, profile, start, duration = 30) {
  const response = await fetch(`${base}/api/v1/profiles/${profile}/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      start, duration, time_zone: 'UTC', name: 'Other Visitor', email: 'other@example.com',
      fields: { topic: 'Race', team_size: '1-10' },
    }),
  });
  return response.status;
}

/// A host page on its own origin (another loopback port), served with a strict
/// Content-Security-Policy that allows only the proxy, as README gives it (`setWorkers(false)`
/// leaves out its `worker-src blob:`). `page(proxyBase)` returns its HTML.
export async function startHost(page) {
  const { createServer } = await import('node:http');
  let proxyBase = '';
  let workers = true;
  const server = createServer((req, res) => {
    const csp = `default-src 'none'; script-src ${proxyBase} 'wasm-unsafe-eval'; connect-src ${proxyBase};${workers ? ' worker-src blob:;' : ''} style-src 'self'; img-src 'self'`;
    if (req.url.startsWith('/host.css')) {
      res.writeHead(200, { 'content-type': 'text/css' });
      return res.end(hostCss);
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
    res.end(page(proxyBase));
  });
  let hostCss = '';
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    setProxy: (base) => { proxyBase = base; },
    setCss: (css) => { hostCss = css; },
    setWorkers: (allowed) => { workers = allowed; },
    stop: () => new Promise((ok) => server.close(ok)),
  };
}

/// A single-page app's built files (`dir`, set later with `setDir`) on their own origin: a
/// path that is not a file gets index.html (client-side routes), with the widget's script
/// tag added from the proxy.
export async function startApp() {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { extname, normalize } = await import('node:path');
  let dir = '';
  let proxyBase = '';
  const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8' };
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = await readFile(join(dir, path)).catch(() => null);
    if (file && extname(path)) {
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
      return res.end(file);
    }
    const index = (await readFile(join(dir, 'index.html'), 'utf8'))
      .replace('</head>', `<script src="${proxyBase}/widget.js" defer></script></head>`);
    res.writeHead(200, { 'content-type': types['.html'] });
    return res.end(index);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    setDir: (d) => { dir = d; },
    setProxy: (base) => { proxyBase = base; },
    stop: () => new Promise((ok) => server.close(ok)),
  };
}

/// After a forced garbage collection: the renderer's live DOM nodes and event listeners
/// (Chromium DevTools Protocol), and how many <booking-widget> objects are still alive,
/// attached or not.
export async function liveObjects(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.enable');
    // Twice: what one collection frees (a finalizer's closure) may free more in the next.
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const { nodes, jsEventListeners } = await cdp.send('Memory.getDOMCounters');
    const proto = await cdp.send('Runtime.evaluate', {
      expression: "customElements.get('booking-widget').prototype",
    });
    const { objects } = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
    const count = await cdp.send('Runtime.callFunctionOn', {
      objectId: objects.objectId,
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    });
    await cdp.send('Runtime.releaseObject', { objectId: objects.objectId });
    await cdp.send('Runtime.releaseObject', { objectId: proto.result.objectId });
    return { nodes, listeners: jsEventListeners, widgets: count.result.value };
  } finally {
    await cdp.detach();
  }
}

/// The keys the fakes accept, in the variables the proxy's configs name.
export const KEYS = {
  CALCOM_API_KEY: 'cal_e2e_fake', AURINKO_API_KEY: 'aurinko-e2e-fake',
  JICOO_API_KEY: 'sk_e2e_fake', VYTE_API_KEY: 'vyte-e2e-fake',
};

/// One profile per remote provider, each against its fake at `url` (startFakes' `urls`).
export const remoteProfiles = (url) => `
[profiles.calcom]
provider = "calcom"
api_key_env = "CALCOM_API_KEY"
base_url = "${url.calcom}"
event_type_id = 1234

[profiles.aurinko]
provider = "aurinko"
api_key_env = "AURINKO_API_KEY"
base_url = "${url.aurinko}"
profile_id = 1234

[profiles.jicoo]
provider = "jicoo"
api_key_env = "JICOO_API_KEY"
base_url = "${url.jicoo}"
event_type_id = "mzgdPJVBb7RE"

[profiles.vyte]
provider = "vyte"
api_key_env = "VYTE_API_KEY"
base_url = "${url.vyte}"
users = ["5f3feb7821046c3bb9327e6a"]
duration = 30
title = "Vyte call"
`;

/// provider-fakes on free ports: `urls` resolves to { calcom: url, aurinko: url, … };
/// `calls(name)` lists the requests that fake received so far, as "METHOD /path".
export function startFakes(env = {}) {
  const child = spawn(join(ROOT, 'target/debug/provider-fakes'), ['0'], {
    env: { ...process.env, ...KEYS, FAKES_PRINT_CALLS: '1', ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const urls = new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('provider-fakes did not start in 20 s')), 20_000);
    const look = () => {
      const found = Object.fromEntries([...out.matchAll(/^fake (\w+) (http:\/\/127\.0\.0\.1:\d+)$/gm)].map((m) => [m[1], m[2]]));
      if (Object.keys(found).length === 4) { clearTimeout(timer); child.stdout.off('data', look); ok(found); }
    };
    child.stdout.on('data', look);
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`provider-fakes exited ${code}`)); });
  });
  const calls = (name) => [...out.matchAll(new RegExp(`^call ${name} (\\S+ \\S+)$`, 'gm'))].map((m) => m[1]);
  return { child, urls, calls };
}

/// Answers every required field of the form, whatever the provider asked.
export async function answerRequired(page) {
  const required = page.locator(`[id^=bw-field-][aria-required=true]:not(${SEL.field('name')}):not(${SEL.field('email')})`);
  for (let i = 0; i < await required.count(); i++) {
    const input = required.nth(i);
    const tag = await input.evaluate((e) => e.tagName);
    const type = await input.getAttribute('type');
    if (tag === 'SELECT') await input.selectOption({ index: 1 });
    else if (type === 'checkbox') await input.check();
    else if (type === 'email') await input.fill('someone@example.com');
    else if (type === 'tel') await input.fill('+33 6 01 02 03 04');
    else if (type === 'url') await input.fill('https://example.com');
    else if (type === 'number') await input.fill('3');
    else await input.fill('An answer');
  }
}
