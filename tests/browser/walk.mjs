// Browser test: headless Chromium (Debian) driven by playwright-core walks
// the web client as a new user would, on a desktop and a phone viewport,
// with screenshots in tests/browser/out/. Every page it visits is checked:
// no console error, page error or CSP violation, no "null"/"undefined" on
// screen, no axe-core WCAG 2.1 A/AA violation (labels, text contrast,
// names), controls and their borders at least 3:1 against their
// background, and the focus on the page's heading rather than the page.
//
// The walk: the first page and its fee calculator -> sign-up with terms
// (recorded as consents) -> the identity check before any send form, its
// form (a wrong check digit refused) -> KYC approved from compliance's
// queue (internal API) -> a field error as a sentence, focused ->
// link an account -> amounts as people type them -> a review that locks
// the form, Edit, another amount, and the payment of what was on screen ->
// the result, the history row (what left the account, status in words),
// the transaction page -> paying a shop named before Confirm, an unknown
// shop refused at once, the pay page a QR code opens -> the month's
// statement with that payment -> (desktop) a 5555
// account: the consent step, approved on the bank's page; a payment
// approved there and followed to completed, one rejected and seen failed
// with the balance unchanged; the account unlinked -> registering a shop,
// the shop owner's overview, periods, QR download/print, empty states, a
// payment request's QR code, an API key made, shown once and revoked ->
// language switched to English and back, her details (a wrong phone
// refused, a new one saved) -> notifications -> phone: the tab
// bar and More -> deletion asks for the password (phone) / logout, a
// forgotten password reset through the e-mailed link, then the demo
// shop's owner refunds part of a payment (desktop).
import { createRequire } from 'module';
import { mkdirSync, readdirSync, readFileSync } from 'fs';

const require = createRequire(new URL('../tools/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const BASE = process.env.DROP_TEST_BASE;
const INTERNAL = process.env.DROP_TEST_INTERNAL;
const ADMIN = process.env.DROP_OPERATOR_ADMIN;
const OUT = new URL('./out/', import.meta.url).pathname;
const STEP_MS = 15000;
const SHOP = 'mer_00000000000000a1';	// the seeded demo shop, Kafé Oslo

function mod11(first10) {
  const w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const s = [...first10].reduce((a, d, i) => a + Number(d) * w[i], 0);
  const c = 11 - (s % 11);
  return c === 10 ? null : (c === 11 ? 0 : c);
}

function accountNumber(prefix = '1234') {
  for (;;) {
    const first10 = prefix + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
    const c = mod11(first10);
    if (c !== null) return first10 + c;
  }
}

/* Compliance approves the user's identity check from the review queue. */
async function approve(userId) {
  const auth = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' };
  const q = await fetch(`${INTERNAL}/internal/kyc?status=in_review&limit=100`, { headers: auth });
  const c = (await q.json()).data.find((k) => k.userId === userId);
  if (!c) throw new Error('no identity check in the queue');
  const r = await fetch(`${INTERNAL}/internal/kyc/${c.id}/decision`, {
    method: 'POST', headers: auth,
    body: JSON.stringify({ decision: 'approve', reason: 'Browser walk: documents match' })
  });
  if (r.status !== 200) throw new Error(`KYC approval: ${r.status}`);
}

/* Spaces Intl writes (no-break, narrow no-break) as plain ones. */
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

/* The reset link in the last e-mail the SMTP sink kept for address. */
async function resetLink(address) {
  const dir = process.env.DROP_TEST_MAIL;
  for (let i = 0; i < 75; i++) {
    const names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort().reverse();
    for (const n of names) {
      const env = JSON.parse(readFileSync(`${dir}/${n}`, 'utf8'));
      if (env.to[0] !== `<${address}>`) continue;
      const eml = readFileSync(`${dir}/${n.replace(/\.json$/, '.eml')}`, 'utf8');
      const body = Buffer.from(eml.split('\r\n\r\n').slice(1).join('').replace(/\s/g, ''), 'base64').toString('utf8');
      const m = body.match(/https?:\/\/\S+\/#\/reset\/[A-Za-z0-9_-]{43}/);
      if (m) return m[0];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no reset e-mail to ${address}`);
}

function must(ok, what) {
  if (!ok) throw new Error(what);
}

/* Contrast of controls against what is behind them (WCAG 1.4.11). */
function controlContrast() {
  function rgb(s) {
    const m = s.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(',').map((x) => parseFloat(x));
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  }
  function lum(c) {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function ratio(a, b) {
    const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function behind(el) {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  }
  const bad = [];
  for (const el of document.querySelectorAll('input:not([type=checkbox]), select, textarea, button:not(.link), a.button')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const cs = getComputedStyle(el);
    const back = behind(el);
    const fill = rgb(cs.backgroundColor);
    const border = rgb(cs.borderTopColor);
    const width = parseFloat(cs.borderTopWidth);
    const best = Math.max(fill && fill.a > 0 ? ratio(fill, back) : 1,
      border && width > 0 ? ratio(border, back) : 1);
    if (best < 3) bad.push(`${el.tagName.toLowerCase()}#${el.id || ''} ${best.toFixed(2)}:1`);
  }
  return bad;
}

async function walk(browser, name, options) {
  const phone = name === 'phone';
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'nb-NO', ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const problems = [];
  // Chromium logs every 4xx fetch as a console error: only those the walk
  // provokes on purpose (a field error, an unknown shop) are allowed.
  const expected = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The sandbox bank's own pages are not Drop's to check.
    if (!m.location().url.startsWith(BASE)) return;
    // The client learns whether cards are on from their route: off, it is 404.
    if (m.text().includes('status of 404') && m.location().url.endsWith('/api/cards')) return;
    const i = expected.findIndex((s) => m.text().includes(`status of ${s}`));
    if (i >= 0) { expected.splice(i, 1); return; }
    problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => d.accept());
  const unique = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  let shots = 0;

  /* Every page: the checks above, then a screenshot. */
  async function check(step) {
    await page.waitForFunction(() => document.getElementById('busy').hidden);
    const text = await page.locator('body').innerText();
    const shown = text.match(/\b(null|undefined|NaN|\[object Object\])\b/);
    if (shown) problems.push(`${step}: "${shown[1]}" on screen`);
    const focus = await page.evaluate(() => document.activeElement ? document.activeElement.tagName : '');
    if (['BODY', 'MAIN'].includes(focus)) problems.push(`${step}: focus on ${focus.toLowerCase()}`);
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return r.violations.map((v) => `${v.id} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
    });
    for (const v of violations) problems.push(`${step}: axe ${v}`);
    for (const c of await page.evaluate(controlContrast)) problems.push(`${step}: control contrast ${c}`);
    await page.screenshot({ path: `${OUT}${name}-${String(++shots).padStart(2, '0')}-${step}.png`, fullPage: true });
  }

  async function heading(text) {
    await page.getByRole('heading', { level: 1, name: text }).waitFor();
  }

  async function nav(href, title) {
    if (phone && !['#/', '#/send', '#/pay'].includes(href)) {
      await page.locator('#tabs a[href="#/more"]').click();
      await heading('Mer');
      await page.locator(`main a[href="${href}"]`).click();
    } else {
      await page.locator(`${phone ? '#tabs' : '#nav'} a[href="${href}"]`).click();
    }
    await heading(title);
  }

  // The first page says what Drop is and what it costs, without a session.
  const resp = await page.goto(`${BASE}/`);
  const csp = resp.headers()['content-security-policy'] || '';
  must(csp.includes("script-src 'self'"), `no strict CSP: ${csp}`);
  await heading(/Send penger hjem og betal i butikker/);
  must(await page.evaluate(() => document.documentElement.lang) === 'nb', 'page language is not nb');
  await page.fill('#f-calc-amount', '1 005,50');
  await page.selectOption('#f-calc-country', 'RS');
  await page.click('#f-calc-submit');
  await page.locator('#calc-facts').waitFor();
  const calc = plain(await page.locator('#calc-facts').innerText());
  for (const want of ['1 005,50 kr', '5,03 kr', '1 010,53 kr', '1 NOK = 11,70 RSD', '2–4 virkedager']) {
    must(calc.includes(want), `calculator lacks ${want}: ${calc}`);
  }
  await check('first-page');

  // Sign-up: the terms must be accepted, and they are recorded.
  await page.locator('main').getByRole('link', { name: 'Opprett konto' }).first().click();
  await heading('Opprett kontoen din');
  await page.fill('#f-register-firstName', 'Amira');
  await page.fill('#f-register-lastName', 'Hodžić');
  await page.fill('#f-register-email', `web_${unique}@example.no`);
  await page.fill('#f-register-password', 'Secret123');
  await page.fill('#f-register-dateOfBirth', '04.03.1991');
  await page.click('#f-register-submit');
  await page.locator('#f-register-terms-err').filter({ hasText: 'godta vilkårene' }).waitFor();
  must(await page.evaluate(() => document.activeElement.id) === 'f-register-terms', 'focus not on the first wrong field');
  must(await page.getAttribute('#f-register-terms', 'aria-invalid') === 'true', 'terms not aria-invalid');
  await check('sign-up-error');
  await page.check('#f-register-terms');
  await page.check('#f-register-privacy');
  await page.click('#f-register-submit');
  await heading('Hei Amira');
  const me = await page.evaluate(async () => (await (await fetch('/api/users/me')).json()).data);
  const consents = await page.evaluate(async () => (await (await fetch('/api/consents')).json()).data);
  for (const type of ['terms', 'privacy']) {
    must(consents.some((c) => c.consent_type === type && c.granted), `consent ${type} not recorded`);
  }

  // The identity check is said up front: the overview links to it, and the
  // send page explains it before any form.
  await page.locator('#kyc-status').filter({ hasText: 'Identitetskontroll: venter' }).waitFor();
  await page.locator('#kyc-status a[href="#/identity"]').waitFor();
  await check('overview-new');
  await nav('#/send', 'Send penger hjem');
  await page.locator('#kyc-box').waitFor();
  must(await page.locator('#f-send').count() === 0, 'a send form before the identity check');
  await check('send-needs-kyc');
  // The identity check's form: a wrong check digit is said at once; sent,
  // it is in review until compliance approves it from the queue.
  await page.click('#kyc-box a[href="#/identity"]');
  await heading('Identitetskontroll');
  await page.fill('#f-kyc-address', 'Storgata 1, 0155 Oslo');
  await page.fill('#f-kyc-nationalId', '04039110055');
  expected.push(422);
  await page.click('#f-kyc-submit');
  await page.locator('#f-kyc-nationalId-err').waitFor();
  await page.fill('#f-kyc-nationalId', '04039110054');
  await page.click('#f-kyc-submit');
  await page.locator('#kyc-state').filter({ hasText: 'under behandling' }).waitFor();
  must(await page.locator('#f-kyc').count() === 0, 'the form stays after sending');
  await check('kyc-sent');
  await approve(me.id);

  // A field error is a sentence next to its field, and takes the focus.
  await nav('#/', 'Hei Amira');
  await page.fill('#f-link-bankName', 'DNB');
  await page.fill('#f-link-accountNumber', '12345678901');
  expected.push(422);
  await page.click('#f-link-submit');
  await page.locator('#f-link-accountNumber-err').filter({ hasText: /^Kontonummer må være et norsk kontonummer .*kontrollsiffer\.$/ }).waitFor();
  must(await page.evaluate(() => document.activeElement.id) === 'f-link-accountNumber', 'focus not on the wrong field');
  await check('field-error');
  const account = accountNumber();
  await page.fill('#f-link-accountNumber', account);
  await page.click('#f-link-submit');
  const grouped = `${account.slice(0, 4)}.${account.slice(4, 6)}.${account.slice(6)}`;
  await page.locator('#accounts li', { hasText: grouped }).waitFor();

  // Amounts as people write them; the review locks what will be paid.
  await nav('#/send', 'Send penger hjem');
  await page.fill('#f-recipient-name', 'Emina Hodžić');
  await page.selectOption('#f-recipient-country', 'BA');
  await page.fill('#f-recipient-bankAccount', 'BA391290079401028494');
  await page.click('#f-recipient-submit');
  await page.locator('#f-send-recipientId option', { hasText: 'Emina' }).waitFor({ state: 'attached' });
  await page.fill('#f-send-amount', '12,345');
  await page.click('#f-send-submit');
  await page.locator('#f-send-amount-err').filter({ hasText: 'høyst to desimaler' }).waitFor();
  await page.fill('#f-send-amount', '1 005,50');
  await page.click('#f-send-submit');
  await page.locator('#disclosure').waitFor();
  let review = plain(await page.locator('#disclosure').innerText());
  for (const want of ['1 005,50 kr', 'Gebyr (0,5 %)', '5,03 kr', '1 010,53 kr', '1 NOK = 1,04 BAM', '2–4 virkedager']) {
    must(review.includes(want), `review lacks ${want}: ${review}`);
  }
  must(await page.locator('#f-send-amount').isDisabled() && await page.locator('#f-send-recipientId').isDisabled(),
    'the reviewed form is not locked');
  await check('review');
  await page.click('#send-edit');
  must(await page.locator('#send-review').isHidden(), 'the review stays after Edit');
  await page.fill('#f-send-amount', '2000');
  await page.click('#f-send-submit');
  await page.locator('#disclosure', { hasText: '2 000,00' }).waitFor();
  review = plain(await page.locator('#disclosure').innerText());
  must(review.includes('2 010,00 kr'), `review of 2000 lacks its total: ${review}`);
  await page.click('#send-confirm');
  await page.locator('#send-done').waitFor();
  const done = plain(await page.locator('#send-done').innerText());
  for (const want of ['Overføringen er underveis', 'Emina Hodžić får 2 080,00 BAM', '2 010,00 kr', 'Forventet innen', 'Referanse']) {
    must(done.includes(want), `result lacks ${want}: ${done}`);
  }
  must(await page.evaluate(() => document.activeElement.id) === 'send-done', 'focus not on the result');
  const txId = (await page.getAttribute('#send-tx-link', 'href')).replace('#/tx/', '');
  const paid = await page.evaluate(async (id) => (await (await fetch(`/api/transactions/${id}`)).json()).data, txId);
  must(paid.sendAmount === 2000, `paid ${paid.sendAmount}, not the 2000 on screen`);
  await check('sent');

  // History: what left the account, the status in words; rows open.
  await nav('#/', 'Hei Amira');
  const row = page.locator(`#tx-list a[data-id="${txId}"]`);
  await row.waitFor();
  const rowText = plain(await row.innerText());
  must(rowText.includes('−2 010,00 kr') && rowText.includes('Underveis'), `history row: ${rowText}`);
  await row.click();
  await heading('Overføring: Emina Hodžić');
  const facts = plain(await page.locator('#tx-facts').innerText());
  for (const want of ['Underveis', '2 000,00 kr', '10,00 kr', '2 010,00 kr', '1 NOK = 1,04 BAM', 'Referanse', 'Forventet innen']) {
    must(facts.includes(want), `transaction page lacks ${want}: ${facts}`);
  }
  await page.locator('#tx-timeline').waitFor();
  await check('transaction');

  // Paying a shop: the pay page a QR code opens names the shop first; an
  // unknown shop is refused at the review; no rate rows for QR.
  await page.goto(`${BASE}/#/pay/${SHOP}`);
  await heading('Betal i butikk');
  must(await page.inputValue('#f-pay-merchantId') === SHOP, 'the pay page does not carry the shop');
  await page.fill('#f-pay-amount', '149,50');
  await page.click('#f-pay-submit');
  await page.locator('#disclosure', { hasText: 'Kafé Oslo' }).waitFor();
  review = plain(await page.locator('#disclosure').innerText());
  must(review.includes('149,50 kr') && !review.includes('Vekslingskurs') && !review.includes('Mottaker får'),
    `QR review: ${review}`);
  await check('pay-review');
  await page.click('#pay-edit');
  await page.fill('#f-pay-merchantId', 'mer_ffffffffffffffff');
  expected.push(404);
  await page.click('#f-pay-submit');
  await page.locator('#f-pay-merchantId-err').filter({ hasText: 'Ingen butikk har denne koden.' }).waitFor();
  must(await page.locator('#pay-review').isHidden(), 'an unknown shop got a review');
  await page.fill('#f-pay-merchantId', 'en butikk');
  await page.click('#f-pay-submit');
  await page.locator('#f-pay-merchantId-err').filter({ hasText: 'butikkens kode' }).waitFor();
  await page.fill('#f-pay-merchantId', `https://drop.example/#/pay/${SHOP}`);
  await page.click('#f-pay-submit');
  await page.locator('#disclosure', { hasText: 'Kafé Oslo' }).waitFor();
  await page.click('#pay-confirm');
  await page.locator('#pay-done').filter({ hasText: 'Betalt 149,50 kr til Kafé Oslo' }).waitFor();
  await check('paid');
  if (!phone) await bankApprovals();

  // The month's statement: the payment just made, with the printable
  // table and the CSV link.
  const month = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Oslo' }).slice(0, 7);
  await nav('#/statement', `Kontoutskrift for ${month}`);
  const paidRow = page.locator('#statement tbody tr', { hasText: 'Kafé Oslo' }).first();
  await paidRow.waitFor();
  must((await paidRow.innerText()).includes('149,50'), `the statement lacks the payment: ${await paidRow.innerText()}`);
  must(await page.locator('a[download]', { hasText: 'Last ned CSV' }).count() === 1, 'no CSV link');
  await check('statement');

  // A shop of one's own: the overview for a shop owner, selected periods,
  // the QR code (an https link a phone camera opens), empty states.
  if (phone) {
    await page.locator('#tabs a[href="#/more"]').click();
    await heading('Mer');
    await page.getByRole('link', { name: 'Registrer en butikk' }).click();
  } else {
    await page.goto(`${BASE}/#/merchant`);
  }
  await heading('Registrer en butikk');
  await page.fill('#f-merchant-businessName', 'Ćevabdžinica Oslo');
  await page.fill('#f-merchant-orgNumber', String(100000000 + Math.floor(Math.random() * 899999999)));
  await page.fill('#f-merchant-bankAccount', accountNumber());
  await page.click('#f-merchant-submit');
  await heading('Ćevabdžinica Oslo');
  await page.waitForFunction(() => {
    const img = document.getElementById('merchant-qr');
    return img && img.complete && img.naturalWidth > 0;
  });
  const url = await page.locator('#merchant-qr-url').innerText();
  must(/^https?:\/\/[^/]+\/#\/pay\/mer_[0-9a-f]{16}$/.test(url), `QR link: ${url}`);
  await page.locator('a[download="drop-qr.svg"]').waitFor();
  await page.locator('#qr-print').waitFor();
  await page.locator('#merchant-facts').waitFor();
  must(await page.getAttribute('#period-today', 'aria-pressed') === 'true', 'today not shown as selected');
  await page.click('#period-week');
  await page.waitForFunction(() => document.getElementById('period-week').getAttribute('aria-pressed') === 'true');
  must(await page.getAttribute('#period-today', 'aria-pressed') === 'false', 'two periods selected');
  await page.getByText('Ingen betalinger ennå').waitFor();
  await page.getByText('Ingen utbetalinger ennå').waitFor();
  await page.getByText('Ingen API-nøkler').waitFor();
  await check('shop');
  // A payment request: its own QR code, holding the pay page's link to it.
  await page.fill('#f-request-amount', '49,50');
  await page.fill('#f-request-description', 'Lunsj');
  await page.click('#f-request-submit');
  await page.waitForFunction(() => {
    const img = document.getElementById('request-qr');
    return img && img.complete && img.naturalWidth > 0;
  });
  const reqUrl = await page.locator('#request-url').innerText();
  must(/\/#\/pay\/mer_[0-9a-f]{16}\?request=preq_[0-9a-f]{16}$/.test(reqUrl), `request link: ${reqUrl}`);
  await check('payment-request');
  // An API key for the till: shown once, then listed by its prefix, revoked.
  await page.fill('#f-key-name', 'Kasse 1');
  await page.check('#f-key-refund');
  await page.click('#f-key-submit');
  const key = await page.locator('#key-secret').innerText();
  must(/^dk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/.test(key), `API key shown: ${key}`);
  await check('api-key');
  await page.goto(`${BASE}/#/`);
  await page.goto(`${BASE}/#/merchant`);
  await page.locator('#api-keys li', { hasText: 'Kasse 1' }).waitFor();
  must(await page.locator('#key-secret').count() === 0, 'the key is shown again');
  await page.locator('#api-keys button').first().click();
  await page.getByText('Ingen API-nøkler').waitFor();
  // A webhook endpoint: its signing secret shown once, its deliveries, removed.
  await page.getByText('Ingen webhook-endepunkter').waitFor();
  await page.fill('#f-hook-url', 'https://kasse.example/drop');
  await page.check('#f-hook-payout');
  await page.click('#f-hook-submit');
  const secret = await page.locator('#hook-secret').innerText();
  must(/^whsec_[0-9a-f]{64}$/.test(secret), `signing secret shown: ${secret}`);
  await check('webhook');
  await page.goto(`${BASE}/#/`);
  await page.goto(`${BASE}/#/merchant`);
  await page.locator('#webhooks li', { hasText: 'https://kasse.example/drop' }).waitFor();
  must(await page.locator('#hook-secret').count() === 0, 'the secret is shown again');
  await page.locator('#webhooks button', { hasText: 'Leveranser' }).first().click();
  await page.getByText('Ingenting sendt ennå.').waitFor();
  await page.locator('#webhooks button', { hasText: 'Fjern' }).first().click();
  await page.getByText('Ingen webhook-endepunkter').waitFor();
  await nav('#/', 'Hei Amira');
  await page.locator('#shop-today').waitFor();
  await check('overview-shop-owner');

  // The saved language changes the page; back to Norwegian.
  await nav('#/settings', 'Innstillinger');
  await page.selectOption('#f-settings-language', 'en');
  await page.click('#f-settings-submit');
  await heading('Settings');
  must(await page.evaluate(() => document.documentElement.lang) === 'en', 'page language did not follow the setting');
  await check('settings-english');
  await page.selectOption('#f-settings-language', 'nb');
  await page.click('#f-settings-submit');
  await heading('Innstillinger');
  // Her own details: a new phone number is saved; a wrong one is said.
  await page.fill('#f-details-phone', '12');
  expected.push(422);
  await page.click('#f-details-submit');
  await page.locator('#f-details-phone-err').waitFor();
  await page.fill('#f-details-phone', '+4798765432');
  await page.click('#f-details-submit');
  await page.locator('#details-saved').filter({ hasText: 'Lagret.' }).waitFor();
  must((await page.evaluate(async () => (await (await fetch('/api/users/me')).json()).data.phone)) === '+4798765432',
    'the phone was not saved');
  await check('details-saved');

  // Notifications, marked read: no "null" on screen.
  await nav('#/notifications', 'Varsler');
  await page.locator('#mark-read').click();
  await page.locator('#mark-read').waitFor({ state: 'detached' });
  await page.locator('#notifications li').first().waitFor();
  must(await page.locator('#notifications li.unread').count() === 0, 'still unread after Mark all read');
  await check('notifications-read');

  if (phone) {
    // Four tabs at the bottom, no menu wrapping above the content.
    must(!(await page.locator('#nav').isVisible()), 'the menu shows on a phone');
    must(await page.locator('#tabs a').count() === 4, 'not four tabs');
    const bar = await page.locator('#tabs').boundingBox();
    must(bar && bar.y + bar.height >= 840, 'the tab bar is not at the bottom');
    const top = await page.locator('header.top').boundingBox();
    must(top.height < 80, `the header takes ${top.height}px`);
    // Deleting the account says what happens and asks for the password.
    await nav('#/account', 'Personvern');
    await page.click('#delete-link');
    await heading('Slett konto');
    await page.getByText('oppbevares i 5 år').waitFor();
    await check('delete');
    await page.fill('#f-delete-password', 'Secret123');
    await page.click('#f-delete-submit');
    await heading('Logg inn');
    await page.locator('#banner').filter({ hasText: 'Kontoen din er slettet' }).waitFor();
  } else {
    await page.getByRole('button', { name: 'Logg ut' }).click();
    await heading('Logg inn');
    await resetThePassword(`web_${unique}@example.no`);
    await refundAsTheShop();
  }
  await check('logged-out');

  /*
   * A forgotten password: the link comes by e-mail (the stack's SMTP
   * sink keeps every message), opens the reset page, and the new
   * password signs in; the old session is long gone.
   */
  async function resetThePassword(address) {
    await page.click('a[href="#/forgot"]');
    await heading('Glemt passordet?');
    await page.fill('#f-forgot-email', address);
    await page.click('#f-forgot-submit');
    await page.locator('#forgot-sent').filter({ hasText: 'er lenken på vei' }).waitFor();
    await check('forgot');
    await page.goto(await resetLink(address));
    await heading('Velg nytt passord');
    await check('reset');
    await page.fill('#f-reset-password', 'Secret456');
    await page.click('#f-reset-submit');
    await heading('Logg inn');
    await page.locator('#banner').filter({ hasText: 'Passordet er byttet' }).waitFor();
    await page.fill('#f-login-email', address);
    await page.fill('#f-login-password', 'Secret456');
    await page.click('#f-login-submit');
    await page.getByRole('button', { name: 'Logg ut' }).click();
    await heading('Logg inn');
  }

  /*
   * The demo shop's owner refunds part of Amira's last payment to it: the
   * form opens in place, an amount above what is left is refused before
   * it is sent, and the row then says what was refunded.
   */
  async function refundAsTheShop() {
    await page.fill('#f-login-email', 'merchant@drop.example');
    await page.fill('#f-login-password', 'DemoPass123');
    await page.click('#f-login-submit');
    await heading('Hei Kari');
    await page.goto(`${BASE}/#/merchant`);
    await heading('Kafé Oslo');
    const row = page.locator('#merchant-payments li', { hasText: 'Amira H.' }).first();
    const tx = (await row.getAttribute('id')).replace(/^rcv-/, '');
    await page.click(`#refund-open-${tx}`);
    await page.fill(`#f-refund-${tx}-amount`, '1000');
    await page.click(`#f-refund-${tx}-submit`);
    await page.locator(`#f-refund-${tx}-amount-err`).filter({ hasText: 'må være fra' }).waitFor();
    await page.fill(`#f-refund-${tx}-amount`, '10');
    await page.click(`#f-refund-${tx}-submit`);
    await page.locator(`#rcv-${tx}`).filter({ hasText: /Refundert 10,00/ }).waitFor();
    await check('refunded');
    await page.getByRole('button', { name: 'Logg ut' }).click();
    await heading('Logg inn');
  }

  /*
   * A bank that asks for approval (5555): linking shows the consent step
   * and the bank's page; a payment goes to the bank's page and comes back
   * to its own page, which follows it; a rejected one fails with the
   * balance as it was; then the account is unlinked.
   */
  async function bankApprovals() {
    await nav('#/', 'Hei Amira');
    const number = accountNumber('5555');
    await page.fill('#f-link-bankName', 'Sandbox SCA');
    await page.fill('#f-link-accountNumber', number);
    await page.click('#f-link-submit');
    await page.locator('#consent-step').filter({ hasText: 'Gi Drop tilgang i banken din' }).waitFor();
    must(await page.evaluate(() => document.activeElement.id) === 'consent-h', 'focus not on the consent step');
    await check('consent-step');
    await page.click('#consent-go');
    await page.getByText('Allow Drop to read the balance of account').waitFor();
    await page.getByRole('button', { name: 'Approve' }).click();
    await heading('Hei Amira');
    const grouped = `${number.slice(0, 4)}.${number.slice(4, 6)}.${number.slice(6)}`;
    const line = page.locator('#accounts li.active', { hasText: grouped });
    await line.waitFor();
    const opening = `${(1000 + Number(number.slice(4, 10))).toLocaleString('nb-NO')},00 kr`;
    must(plain(await line.innerText()).includes(plain(opening)), `approved account lacks ${opening}: ${await line.innerText()}`);
    const id = await line.getAttribute('data-id');
    await page.click(`#primary-${id}`);
    await page.locator('#accounts li.active', { hasText: `${grouped} (hovedkonto)` }).waitFor();
    await check('consent-approved');
    const balance = async () => page.evaluate(async (a) =>
      (await (await fetch('/api/bank-accounts')).json()).data.find((x) => x.id === a).balance, id);

    // Approved on the bank's page, followed until completed.
    const pay = async (amount) => {
      await nav('#/pay', 'Betal i butikk');
      await page.fill('#f-pay-merchantId', SHOP);
      await page.fill('#f-pay-amount', amount);
      await page.click('#f-pay-submit');
      await page.locator('#disclosure', { hasText: 'Kafé Oslo' }).waitFor();
      await page.click('#pay-confirm');
      await page.getByText('Approve payment of').waitFor();
    };
    const before = await balance();
    await pay('25');
    await page.getByRole('button', { name: 'Approve' }).click();
    await heading('Butikkbetaling: Kafé Oslo');
    await page.locator('#txd-h').filter({ hasText: 'Fullført' }).waitFor();
    await check('sca-approved');
    must(await balance() === before - 25, `after 25 kr the balance is ${await balance()}, was ${before}`);

    // Rejected there: failed, said in words, and the balance as it was.
    await pay('30');
    await page.getByRole('button', { name: 'Reject' }).click();
    await heading('Butikkbetaling: Kafé Oslo');
    await page.locator('#txd-h').filter({ hasText: 'Mislyktes' }).waitFor();
    await page.locator('#tx-why').filter({ hasText: 'Pengene blir på kontoen din' }).waitFor();
    await check('sca-rejected');
    must(await balance() === before - 25, `a rejected payment changed the balance: ${await balance()}`);

    // Unlinked: gone from the overview, the other account primary again.
    await nav('#/', 'Hei Amira');
    await page.click(`#unlink-${id}`);
    await page.locator('#overview-said').filter({ hasText: 'Koblet fra' }).waitFor();
    must(await page.locator(`#accounts li[data-id="${id}"]`).count() === 0, 'the unlinked account is still listed');
    await page.locator('#accounts li', { hasText: '(hovedkonto)' }).waitFor();
    await check('unlinked');
  }

  await context.close();
  if (problems.length) throw new Error(`${name}:\n  ${problems.join('\n  ')}`);
  console.log(`browser ${name}: walked first page to ${phone ? 'deletion' : 'logout'}, every check clean`);
}

mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking']
});
try {
  await walk(browser, 'desktop', { viewport: { width: 1280, height: 800 } });
  await walk(browser, 'phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
} finally {
  await browser.close();
}
