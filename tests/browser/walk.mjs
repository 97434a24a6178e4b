// Browser test: headless Chromium (Debian) driven by playwright-core walks
// register -> KYC approval (internal API) -> link account -> add recipient
// -> disclosure -> send -> the transaction in the list -> merchant
// registration -> QR image -> data export -> logout, on a desktop and a
// phone viewport, with screenshots in tests/browser/out/. Any console
// error, page error or CSP violation fails it.
import { createRequire } from 'module';
import { mkdirSync } from 'fs';

const require = createRequire(new URL('../tools/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const BASE = process.env.DROP_TEST_BASE;
const INTERNAL = process.env.DROP_TEST_INTERNAL;
const ADMIN = process.env.DROP_ADMIN_TOKEN;
const OUT = new URL('./out/', import.meta.url).pathname;
const STEP_MS = 15000;

function mod11(first10) {
  const w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const s = [...first10].reduce((a, d, i) => a + Number(d) * w[i], 0);
  const c = 11 - (s % 11);
  return c === 10 ? null : (c === 11 ? 0 : c);
}

function accountNumber() {
  for (;;) {
    const first10 = '1234' + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
    const c = mod11(first10);
    if (c !== null) return first10 + c;
  }
}

async function approve(userId) {
  const r = await fetch(`${INTERNAL}/internal/users/${userId}/kyc`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'approved' })
  });
  if (r.status !== 200) throw new Error(`KYC approval: ${r.status}`);
}

async function walk(browser, name, options) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const problems = [];
  // Chromium logs every 4xx fetch as a console error: only the one the
  // walk provokes on purpose (a 422 to show a field error) is allowed.
  let expect = null;
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (expect && m.text().includes(`status of ${expect}`)) { expect = null; return; }
    problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => d.accept());
  const shot = (step) => page.screenshot({ path: `${OUT}${name}-${step}.png`, fullPage: true });
  const unique = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;

  // Register.
  const resp = await page.goto(`${BASE}/`);
  const csp = resp.headers()['content-security-policy'] || '';
  if (!csp.includes("script-src 'self'")) throw new Error(`no strict CSP: ${csp}`);
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await shot('1-login');
  await page.getByRole('link', { name: 'Register' }).first().click();
  await page.fill('#f-register-firstName', 'Amira');
  await page.fill('#f-register-lastName', 'Hodžić');
  await page.fill('#f-register-email', `web_${unique}@example.no`);
  await page.fill('#f-register-password', 'Secret123');
  await page.fill('#f-register-dateOfBirth', '1991-03-04');
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByRole('heading', { name: 'Hi Amira' }).waitFor();

  // KYC approval through the internal API.
  const me = await page.evaluate(async () => (await (await fetch('/api/users/me')).json()).data);
  await approve(me.id);

  // A field error is shown next to its field.
  await page.fill('#f-link-bankName', 'DNB');
  await page.fill('#f-link-accountNumber', '12345678901');
  expect = 422;
  await page.getByRole('button', { name: 'Link account' }).click();
  await page.locator('#f-link-accountNumber-err').filter({ hasText: /check digit/ }).waitFor();

  // Link an account.
  const account = accountNumber();
  await page.fill('#f-link-accountNumber', account);
  await page.getByRole('button', { name: 'Link account' }).click();
  await page.locator('#accounts li', { hasText: account }).waitFor();
  await shot('2-overview');

  // Add a recipient, see the disclosure, send.
  await page.goto(`${BASE}/#/send`);
  await page.fill('#f-recipient-name', 'Emina Hodžić');
  await page.selectOption('#f-recipient-country', 'BA');
  await page.fill('#f-recipient-bankAccount', 'BA391290079401028494');
  await page.getByRole('button', { name: 'Add recipient' }).click();
  await page.locator('#f-send-recipientId option', { hasText: 'Emina' }).waitFor({ state: 'attached' });
  await page.fill('#f-send-amount', '150');
  await page.getByRole('button', { name: 'Review' }).click();
  await page.locator('#disclosure').waitFor();
  const disclosure = await page.locator('#disclosure').innerText();
  for (const want of ['Fee (0.5 %)', '0,75', '150,75', '2-4 business days']) {
    if (!disclosure.includes(want)) throw new Error(`disclosure lacks ${want}: ${disclosure}`);
  }
  await shot('3-disclosure');
  await page.click('#send-confirm');
  await page.locator('#send-done').waitFor();

  // The transaction in the list.
  await page.goto(`${BASE}/#/`);
  await page.locator('#tx-list li', { hasText: 'Emina Hodžić' }).waitFor();
  await shot('4-history');

  // Merchant registration and the QR image.
  await page.goto(`${BASE}/#/merchant`);
  await page.fill('#f-merchant-businessName', 'Ćevabdžinica Oslo');
  await page.fill('#f-merchant-orgNumber', String(100000000 + Math.floor(Math.random() * 899999999)));
  await page.fill('#f-merchant-bankAccount', accountNumber());
  await page.getByRole('button', { name: 'Register shop' }).click();
  const qr = page.locator('#merchant-qr');
  await qr.waitFor();
  await page.waitForFunction(() => {
    const img = document.getElementById('merchant-qr');
    return img && img.complete && img.naturalWidth > 0;
  });
  await page.locator('#merchant-figures dd').first().waitFor();
  await shot('5-merchant');

  // Data export.
  await page.goto(`${BASE}/#/account`);
  await page.click('#export');
  await page.locator('#export-link').waitFor();
  await shot('6-export');

  // Log out.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await shot('7-logged-out');

  await context.close();
  if (problems.length) throw new Error(`${name}:\n  ${problems.join('\n  ')}`);
  console.log(`browser ${name}: walked register to logout, no console errors`);
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
