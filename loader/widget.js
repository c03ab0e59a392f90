// booking-widget loader (served as /widget.js). Defines <booking-widget>, loads the widget's
// wasm once per page from the proxy's origin, and mounts each element into its own open
// shadow root. No dependencies; nothing inline, so a strict Content-Security-Policy holds
// (with `worker-src blob:` for its one worker, `warm`).
(() => {
  'use strict';
  if (customElements.get('booking-widget')) return;

  const script = document.currentScript;
  const ORIGIN = new URL(script ? script.src : location.href).origin;
  // Filled in by booking-proxy from the build: content-hashed, cached for a year. The
  // manage bundle (the widget with manage mode) is loaded only for a booking's manage token.
  const BUNDLES = {
    book: ['__GLUE__', '__WASM__'],
    manage: ['__MANAGE_GLUE__', '__MANAGE_WASM__'],
  };
  const modules = {};
  const load = (kind) => {
    const [glue, wasm] = BUNDLES[kind].map((path) => new URL(path, ORIGIN).href);
    // The wasm is fetched beside the glue, not after it; the glue compiles it as it streams.
    modules[kind] ??= ((bytes) => import(glue).then(async (m) => {
      await m.default({ module_or_path: bytes });
      return m;
    }))(fetch(wasm));
    return modules[kind];
  };

  // Requests started while the wasm loads, URL → promise of the answer's JSON (null when it
  // failed: the widget then asks itself and shows why). The widget takes each one once.
  const EARLY = new Map();
  const ask = (url) => {
    if (!EARLY.has(url)) EARLY.set(url, fetch(url).then((r) => (r.ok ? r.json() : null)).catch(() => unreachable(url)));
    return EARLY.get(url);
  };
  // The usual cause for a site owner: the proxy refuses this page's origin (CORS). Said
  // once per proxy, in the console, where the widget itself can only say "could not reach".
  const told = new Set();
  const unreachable = (url) => {
    const { origin } = new URL(url);
    if (!told.has(origin)) {
      told.add(origin);
      console.warn(`booking-widget: could not reach ${origin}; if it is up, add ${location.origin} to its server.allowed_origins`);
    }
    return null;
  };
  /** Resolves in a later task: the browser may draw and take input in between. */
  const task = () => new Promise((resolve) => { setTimeout(resolve); });
  // `Temporal` gives the visitor's zone and today's date without `Intl`, whose first call
  // in a page is one long task (ICU's data and patterns read: ~100 ms on a phone).
  const T = globalThis.Temporal;
  const zoneOk = (zone) => {
    try { return Boolean(zone) && Boolean(T ? T.Now.plainDateISO(zone) : new Intl.DateTimeFormat('en', { timeZone: zone })); } catch { return false; }
  };
  /** Resolves once a worker has made a first `Intl` call, off the main thread: a page's
   *  workers share ICU's state with it, so the page's own first formatters then take under
   *  a millisecond. Also once the worker is refused (a Content-Security-Policy without
   *  `worker-src blob:`: the page then pays that call itself), and after 2 s whatever
   *  happens. At once without `Temporal`: the page has then called `Intl` already (`zoneOf`).
   *  The worker is made in a task of its own, after the loader's. */
  let warmed;
  const warm = () => (warmed ??= new Promise((done) => {
    if (!T) return done();
    setTimeout(done, 2e3);
    task().then(() => {
      const worker = new Worker(URL.createObjectURL(new Blob(['Intl.DateTimeFormat().format();postMessage(0);close()'])));
      worker.onmessage = worker.onerror = done;
    }).catch(done);
  }));
  /** The visitor's language as the proxy's i18n/ names it: the `locale` attribute's, else the browser's. */
  const language = (locale) => (locale || navigator.language).split(/[-_]/)[0].toLowerCase();
  /** The strings of `locale`'s language from the proxy's i18n/ (asked once, beside the wasm),
   *  or nothing for English, which the loader and the widget have built in. */
  const strings = (api, locale) => {
    const lang = language(locale);
    // The languages of i18n/ but English.
    return /^(ar|de|es|fr|ja)$/.test(lang) ? ask(`${api.replace(/\/+$/, '')}/i18n/${lang}.json`) : Promise.resolve();
  };
  /** The profile, then its first month's slots as the widget will ask for them, and the
   *  visitor's language unless English (the widget fetches what is missing itself).
   *  `drawn(slots, zone, year, month, last)` draws the free days once the slots are in.
   *  Resolves once the answers are in (or failed) and the worker's first `Intl` call is
   *  done (`warm`): nothing here uses `Intl` before, save where the browser has no
   *  `Temporal`, and then not before the profile's answer. */
  const prefetch = (api, profile, zoneAttr, locale, drawn) => {
    const base = `${api.replace(/\/+$/, '')}/api/v1/profiles/${encodeURIComponent(profile)}`;
    return Promise.all([strings(api, locale), warm(), ask(base).then((p) => {
      const duration = p?.durations?.[0];
      if (!duration) return;
      const zone = zoneOf(zoneAttr);
      const [year, month, last] = monthIn(zone);
      const from = `${year}-${two(month)}`;
      return Promise.all([ask(`${base}/slots?from=${from}-01&to=${from}-${last}&time_zone=${encodeURIComponent(zone)}&duration=${duration}`), warm()])
        .then(([answer]) => drawn(answer?.slots, zone, year, month, last));
    })]).catch(() => null);
  };
  const two = (n) => String(n).padStart(2, '0');
  const zoneOf = (attr) => (zoneOk(attr) ? attr : T ? T.Now.timeZoneId() : Intl.DateTimeFormat().resolvedOptions().timeZone);
  /** Today's year, month and the month's last day, in `zone`. */
  const monthIn = (zone) => {
    if (T) {
      const today = T.Now.plainDateISO(zone);
      return [today.year, today.month, today.daysInMonth];
    }
    const part = {};
    for (const { type, value } of new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric' }).formatToParts()) part[type] = Number(value);
    return [part.year, part.month, new Date(Date.UTC(part.year, part.month, 0)).getUTCDate()];
  };

  /** The month's days in the skeleton's grid, those with free `slots` as buttons, drawn
   *  while the wasm is on its way: a visitor can pick a day as soon as the slots are in.
   *  The day clicked is marked, and picked again on the widget once it is up (`pickAgain`).
   *  The week starts where the widget's does (src/calendar.rs). */
  const earlyDays = (root, locale, slots, zone, year, month, last) => {
    // Swedish writes a date and time as ISO 8601 does: 2026-12-03 09:30.
    const key = new Intl.DateTimeFormat('sv', { timeZone: zone, dateStyle: 'short', timeStyle: 'short' });
    // The slots come sorted: one date asked of `Intl` a day or so, not one a slot (a month
    // around the clock is ~1,400). Until two hours before the day's midnight (a day whose
    // clock changes is up to two hours short or long), a slot is on the day of the last one
    // asked.
    let until = 0;
    const free = new Set(slots?.map(({ start }) => {
      const t = Date.parse(start);
      if (t < until) return;
      const [date, h, m] = key.format(t).split(/[^\d-]+/);
      until = t + (1320 - h * 60 - m) * 6e4;
      return date;
    }));
    const grid = root.querySelector('b');
    if (!free.size) return;
    const tag = (locale || navigator.language).replace(/_/g, '-');
    const lang = language(tag);
    const start = lang === 'ar' ? 6 : lang === 'ja' || /^en([-_](us|ca)|$)/i.test(tag) ? 0 : 1;
    const name = new Intl.DateTimeFormat(tag, { dateStyle: 'full', timeZone: 'UTC' });
    let html = '<a></a>'.repeat((new Date(Date.UTC(year, month - 1)).getUTCDay() - start + 7) % 7);
    for (let day = 1; day <= last; day++) {
      const date = `${year}-${two(month)}-${two(day)}`;
      html += free.has(date) ? `<button data-date=${date} aria-label="${name.format(Date.UTC(year, month - 1, day))}">${day}</button>` : `<a>${day}</a>`;
    }
    grid.innerHTML = html;
    grid.onclick = ({ target }) => {
      if (!target.dataset.date) return;
      grid.querySelector('[aria-pressed]')?.removeAttribute('aria-pressed');
      target.ariaPressed = 'true';
      // Looked for until 30 s after the last click; a look already going on goes on.
      const idle = !(performance.now() < grid.until);
      grid.until = performance.now() + 3e4;
      if (idle) pickAgain(root, grid);
    };
  };

  // What an inline widget shows until its first step is drawn: grey blocks shaped like that
  // step (a title, rows of round days) in the space the step takes, which is the
  // space README's host-page rule reserves (at least the screen's height on a phone, 50rem
  // wider), so text under the widget does not move when the widget arrives. A constructed
  // stylesheet, never inline style, so a strict Content-Security-Policy holds; greys that
  // read on light and dark pages alike.
  const SKELETON = new CSSStyleSheet();
  SKELETON.replaceSync(`:host{display:block;min-height:100svh}\
div{box-sizing:border-box;max-width:44rem;min-height:inherit;padding:4rem 1rem 1rem;border:1px solid #8884;border-radius:8px;background:linear-gradient(#8882 0 0) 1rem 1rem/45% 1.75rem no-repeat}\
b{display:grid;grid:repeat(6,2.75rem)/repeat(7,1fr);place-items:center;background:radial-gradient(circle,#8882 1.1rem,#0000 1.15rem) 0 0/calc(100%/7) 2.75rem}\
button{width:2.2rem;height:2.2rem;border:0;border-radius:50%;background:#8885;font:inherit;font-weight:700;color:inherit;cursor:pointer}\
[aria-pressed]{outline:2px solid}\
a{opacity:.6}\
p{position:absolute;scale:0}\
@media(min-width:40rem){:host{min-height:50rem}b{width:55%}}`);

  const skeleton = (root, api, locale) => {
    root.adoptedStyleSheets = [SKELETON];
    root.innerHTML = '<div class="bw-skeleton" role="status" aria-busy="true"><p></p><b></b></div>';
    const said = root.querySelector('p');
    strings(api, locale).then((t) => { said.textContent = t?.loading || 'Loading…'; });
  };
  /** Picks the day marked in the early month's `grid` on the widget in `root`, as a click of
   *  the visitor's would, once the widget has drawn its month (in place of the skeleton) and
   *  chosen a day itself: looked for each frame while the skeleton or that widget is there,
   *  until `grid.until`. Focus follows unless the visitor has put it somewhere else
   *  meanwhile. */
  const pickAgain = (root, grid) => {
    const day = root.querySelector('.bw-day--selected') && root.querySelector(`.bw-day[data-date="${grid.querySelector('[aria-pressed]').dataset.date}"]`);
    if (day) {
      if (document.activeElement === document.body) day.focus();
      day.click();
    } else if ((grid.isConnected || root.querySelector('.bw-root')) && performance.now() < grid.until) {
      requestAnimationFrame(() => pickAgain(root, grid));
    }
  };

  const PARTS = 'root, calendar, day, slot, form, field, input, button, primary-button, confirmation, error';
  const DARK = matchMedia('(prefers-color-scheme: dark)');
  const QUERY_RESERVED = new Set(['profile', 'api', 'mode', 'theme', 'locale', 'time_zone', 'hour_cycle', 'booking_token']);
  // What a prefill value may be: text, a number, yes/no, or a list of text (the form's answers).
  const usable = (v) => ['string', 'boolean'].includes(typeof v) || Number.isFinite(v)
    || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  // Attributes the mounted widget takes in place; the others (profile, api, mode, manage) mount anew.
  const IN_PLACE = new Set(['locale', 'time-zone', 'hour-cycle', 'prefill', 'prefill-from-url']);

  class BookingWidget extends HTMLElement {
    static observedAttributes = ['profile', 'api', 'mode', 'manage', 'label', 'theme', 'locale', 'time-zone', 'hour-cycle', 'prefill', 'prefill-from-url'];

    #widget = null;
    #generation = 0;
    #extra = {};
    #onScheme = () => this.#applyTheme();
    #mountHost = null;
    #launch = null;
    #buttonText = null;

    connectedCallback() { this.#render(); }

    disconnectedCallback() {
      this.#generation += 1;
      this.#teardown();
    }

    attributeChangedCallback(name, before, after) {
      if (before === after || !this.isConnected) return;
      if (name === 'theme') this.#applyTheme();
      else if (name === 'label') this.#label();
      else if (IN_PLACE.has(name)) this.#update();
      else this.#render();
    }

    /** Fills in answers, e.g. `el.prefill({ name: 'Ada', email: 'ada@example.com', company: 'ACME' })`. */
    prefill(values) {
      this.#extra = { ...this.#extra, ...values };
      if (this.isConnected) this.#update();
    }

    #prefillValues() {
      const values = {};
      if (this.getAttribute('prefill-from-url') !== 'false') {
        for (const [key, value] of new URLSearchParams(location.search)) {
          if (!QUERY_RESERVED.has(key)) values[key] = value;
        }
      }
      const attr = this.getAttribute('prefill');
      if (attr) {
        try {
          const parsed = JSON.parse(attr);
          Object.assign(values, parsed.fields ?? {});
          if (parsed.name) values.name = parsed.name;
          if (parsed.email) values.email = parsed.email;
        } catch (e) {
          console.warn('booking-widget: the prefill attribute is not JSON', e);
        }
      }
      const all = { ...values, ...this.#extra };
      // One odd value (a `null` from an app's state) leaves that answer out, not the widget.
      for (const [key, value] of Object.entries(all)) {
        if (usable(value)) continue;
        if (value != null) console.warn(`booking-widget: prefill "${key}" is not text, a number, true/false or a list of text; left out`);
        delete all[key];
      }
      return all;
    }

    /** The options as mountWidget and update take them, read when they are used. */
    #options() {
      return JSON.stringify({
        profile: this.getAttribute('profile') || '',
        api: this.getAttribute('api') || ORIGIN,
        locale: this.getAttribute('locale') || null,
        timeZone: this.getAttribute('time-zone') || null,
        hourCycle: this.getAttribute('hour-cycle') || null,
        prefill: this.#prefillValues(),
        manage: this.#manageToken(),
      });
    }

    /** A booking's manage token: the `manage` attribute, else the host page's `?booking_token=`. */
    #manageToken() {
      return this.getAttribute('manage') || new URLSearchParams(location.search).get('booking_token') || null;
    }

    /** New language, zone, clock or prefill for the mounted widget (the same: nothing). */
    #update() {
      this.#widget?.update(this.#options());
    }

    async #render() {
      const generation = ++this.#generation;
      const mode = this.getAttribute('mode') || 'inline';
      const profile = this.getAttribute('profile');
      const manage = Boolean(this.#manageToken());
      const api = this.getAttribute('api') || ORIGIN;
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      // In every mode: a popup's first opening would otherwise make the page's first
      // `Intl` call, in the click's task.
      let ready = warm();
      if (mode === 'inline') {
        this.#teardown();
        const locale = this.getAttribute('locale');
        skeleton(root, api, locale);
        // A manage page asks for no free days.
        if (profile && !manage) {
          ready = prefetch(api, profile, this.getAttribute('time-zone'), locale, (...month) => {
            // A language tag `Intl` refuses leaves the skeleton as it is.
            try {
              if (generation === this.#generation) earlyDays(root, locale, ...month);
            } catch {}
          });
        }
      }
      let m;
      try {
        m = await load(manage ? 'manage' : 'book');
        // The widget is mounted once its profile, first month and language are here (or
        // failed), so its first step is drawn at once, in place of the skeleton, in one go.
        await ready;
        // Then, each in a task of its own rather than in the wasm's instantiation's: the
        // widget's stylesheet parsed, then the mount and first drawing (shorter tasks on a
        // slow phone).
        await task();
        m.styleSheet();
        await task();
      } catch (e) {
        console.error('booking-widget: could not load the widget', e);
        return;
      }
      if (generation !== this.#generation || !this.isConnected) return;
      this.#teardown();
      DARK.addEventListener('change', this.#onScheme);
      const mount = (host) => {
        this.#mountHost = host;
        this.#applyTheme();
        try {
          this.#widget = m.mountWidget(host, this.#options(), EARLY);
        } catch (e) {
          console.error('booking-widget: could not start', e);
        }
      };
      if (mode === 'popup' || mode === 'floating') {
        // The widget (and its requests) start when the dialog is first opened.
        this.#launcher(root, m, mount);
      } else {
        mount(this);
      }
    }

    /** The button and modal dialog; `mount(inner)` runs on the first opening. */
    #launcher(root, m, mount) {
      // The widget's own stylesheet: its tokens, and the launcher's rules (style/launcher.css).
      root.adoptedStyleSheets = [m.styleSheet()].filter(Boolean);
      this.#applyTheme();
      root.innerHTML = '<button type=button class=bw-launch part=launcher aria-haspopup=dialog></button><dialog class=bw-dialog>'
        + `<button type=button class=bw-close aria-label=Close>×</button><div exportparts="${PARTS}"></div></dialog>`;
      const [button, close] = root.querySelectorAll('button');
      const dialog = root.lastChild;
      const inner = dialog.lastChild;
      this.#launch = { button, dialog };
      this.#label();
      // The visitor's language, once its strings are here (English at once).
      strings(this.getAttribute('api') || ORIGIN, this.getAttribute('locale')).then((t) => {
        if (t) close.setAttribute('aria-label', t.close);
        this.#buttonText = t?.book_time;
        this.#label();
      });
      // showModal() makes the page inert, closes on Escape and returns focus to the button.
      button.addEventListener('click', () => {
        if (!this.#widget) mount(inner);
        dialog.showModal();
      });
      close.addEventListener('click', () => dialog.close());
      dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); });
    }

    #label() {
      if (!this.#launch) return;
      const text = this.getAttribute('label') || this.#buttonText || 'Book a time';
      this.#launch.button.textContent = text;
      this.#launch.dialog.setAttribute('aria-label', text);
    }

    /** Light or dark tokens, on the element (the launcher's) and the widget's own host. */
    #applyTheme() {
      const theme = this.getAttribute('theme') || 'light';
      const dark = theme === 'dark' || (theme === 'auto' && DARK.matches) ? 'dark' : 'light';
      for (const host of new Set([this, this.#mountHost])) host?.setAttribute('data-theme', dark);
    }

    #teardown() {
      DARK.removeEventListener('change', this.#onScheme);
      if (this.#widget) {
        this.#widget.unmount();
        this.#widget.free();
        this.#widget = null;
      }
      this.#mountHost = null;
      this.#launch = null;
    }
  }

  // A page that closes (and is not kept for going back) lets its widgets go: a time held for
  // the visitor is released at once rather than when the hold expires.
  addEventListener('pagehide', (e) => {
    if (e.persisted) return;
    for (const el of document.querySelectorAll('booking-widget')) el.disconnectedCallback();
  });

  customElements.define('booking-widget', BookingWidget);

  // The booking page `/book/{p}` and its manage page start their wasm themselves; the loader
  // mounts their widget once it is up, in a task of its own (src/main.rs). The booking page
  // carries the profile and this month's slots: the free days are drawn at once, in its blank
  // (index.html), which stays until the widget's first step is drawn.
  const main = document.getElementById('booking-widget');
  const data = document.getElementById('bw-page-data');
  const root = main?.shadowRoot;
  if (main) {
    const query = new URLSearchParams(location.search);
    const [locale, zone] = [query.get('locale'), zoneOf(query.get('time_zone'))];
    const ready = warm();
    // The page's data, parsed once, here: the early month reads its slots, the widget its
    // profile and slots (`mountPage`).
    let page;
    const early = data && root?.firstChild?.localName === 'p';
    if (early) skeleton(root, ORIGIN, locale);
    if (data) {
      const [year, month, last] = monthIn(zone);
      ready.then(() => {
        try {
          page = JSON.parse(data.textContent);
          const { slots } = page;
          // The page's slots span the month of UTC's calendar in every zone: in the hours
          // where the visitor's month is another, the widget asks for its own
          // (src/api/early.rs).
          if (early && Date.parse(slots.from) <= Date.UTC(year, month - 1) - 504e5 && Date.parse(slots.to) >= Date.UTC(year, month) + 432e5) {
            earlyDays(root, locale, slots.slots, zone, year, month, last);
          }
        } catch {
          // Data the widget cannot read either, or a language tag `Intl` refuses: the
          // widget says why once it is up.
        }
      });
    }
    // A host page that is itself a Trunk app has bindings of its own, without `mountPage`.
    // The stylesheet parsed, then the mount, each in a task of its own, as in an embed.
    const mount = () => ready.then(task).then(() => wasmBindings.styleSheet?.()).then(task).then(() => wasmBindings.mountPage?.(page));
    window.wasmBindings ? mount() : addEventListener('TrunkApplicationStarted', mount);
  }
})();
