/*
 * Drop web client: plain JavaScript, no build step, served by Kore under a
 * strict Content-Security-Policy (no inline script or style). It uses the
 * cookie session and the X-CSRF-Token header, shows the API's messages
 * next to the fields they concern, and says so while a request is in
 * flight or the service answers 503. Text from the server is only ever
 * set as textContent.
 */
'use strict';

const state = { me: null, inflight: 0 };

/* ---- DOM helpers ---------------------------------------------------- */

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function money(n, currency) {
  const v = Number(n);
  return v.toLocaleString('nb-NO', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) +
    ' ' + (currency || 'NOK');
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString('nb-NO') : '';
}

function main() { return document.getElementById('main'); }

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes);
  m.focus();
}

function banner(text, ok) {
  const b = document.getElementById('banner');
  b.textContent = text || '';
  b.hidden = !text;
  b.classList.toggle('ok', !!ok);
}

/* ---- API ------------------------------------------------------------ */

function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

function busy(delta) {
  state.inflight += delta;
  document.getElementById('busy').hidden = state.inflight === 0;
  document.body.setAttribute('aria-busy', state.inflight > 0 ? 'true' : 'false');
}

async function api(method, path, body, headers) {
  const opts = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const csrf = cookie('drop_csrf');
  if (csrf && method !== 'GET') opts.headers['X-CSRF-Token'] = csrf;
  Object.assign(opts.headers, headers || {});
  busy(1);
  try {
    const r = await fetch(path, opts);
    let json = null;
    if (r.status !== 204 && (r.headers.get('Content-Type') || '').includes('json')) {
      json = await r.json();
    }
    if (r.status === 503) {
      banner('Drop is temporarily unavailable. Nothing was lost; please try again in a moment.');
    } else if (r.status < 500) {
      banner('');
    }
    if (r.status === 401 && !path.startsWith('/api/auth/')) {
      state.me = null;
      renderNav();
      location.hash = '#/login';
    }
    return { status: r.status, ok: r.ok, json };
  } catch (e) {
    banner('Cannot reach Drop. Check your connection and try again.');
    return { status: 0, ok: false, json: null };
  } finally {
    busy(-1);
  }
}

/* ---- Forms ---------------------------------------------------------- */

/*
 * A form from field specs {name, label, type, options, value, required}.
 * onSubmit(values) returns the API answer; its details are shown next to
 * their fields and its message above the button.
 */
function form(spec) {
  const errs = {};
  const inputs = {};
  const general = h('p', { class: 'err', role: 'alert' });
  const button = h('button', { type: 'submit', text: spec.submit });
  const f = h('form', { novalidate: true, 'aria-label': spec.label || spec.submit });
  for (const field of spec.fields) {
    let input;
    const id = 'f-' + (spec.id || 'form') + '-' + field.name;
    if (field.type === 'select') {
      input = h('select', { id, name: field.name },
        field.options.map(([v, t]) => h('option', { value: v, text: t, selected: v === field.value })));
    } else if (field.type === 'checkbox') {
      input = h('input', { id, name: field.name, type: 'checkbox', checked: !!field.value });
    } else if (field.type === 'textarea') {
      input = h('textarea', { id, name: field.name, rows: 4 });
      input.value = field.value || '';
    } else {
      input = h('input', {
        id, name: field.name, type: field.type || 'text',
        autocomplete: field.autocomplete || 'off',
        inputmode: field.inputmode, step: field.step
      });
      if (field.value !== undefined) input.value = field.value;
    }
    inputs[field.name] = input;
    errs[field.name] = h('p', { class: 'err', id: id + '-err', 'aria-live': 'polite' });
    input.setAttribute('aria-describedby', id + '-err');
    f.append(field.type === 'checkbox'
      ? h('label', { class: 'check', for: id }, input, field.label, errs[field.name])
      : h('label', { for: id }, field.label, input, errs[field.name]));
  }
  f.append(general, button);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    for (const e of Object.values(errs)) e.textContent = '';
    general.textContent = '';
    const values = {};
    for (const field of spec.fields) {
      const input = inputs[field.name];
      if (field.type === 'checkbox') values[field.name] = input.checked;
      else if (field.type === 'number') values[field.name] = input.value === '' ? undefined : Number(input.value);
      else values[field.name] = input.value === '' && !field.keepEmpty ? undefined : input.value;
    }
    button.disabled = true;
    try {
      const r = await spec.onSubmit(values);
      if (r && !r.ok) showErrors(r, errs, general);
    } finally {
      button.disabled = false;
    }
  });
  f.inputs = inputs;
  return f;
}

function showErrors(r, errs, general) {
  const j = r.json || {};
  let placed = false;
  for (const d of j.details || []) {
    if (errs[d.field]) {
      errs[d.field].textContent = d.message;
      placed = true;
    } else {
      general.textContent += (general.textContent ? ' ' : '') + d.field + ': ' + d.message;
    }
  }
  if (!placed || !general.textContent) {
    general.textContent = (j.message || (r.status === 0 ? 'No connection' : 'Something went wrong')) +
      (general.textContent ? ' — ' + general.textContent : '');
  }
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/* ---- Navigation ----------------------------------------------------- */

function renderNav() {
  const nav = document.getElementById('nav');
  const links = state.me
    ? [['#/', 'Overview'], ['#/send', 'Send'], ['#/pay', 'Pay a shop'], ['#/merchant', 'My shop'],
       ['#/cards', 'Cards'], ['#/notifications', 'Notifications'], ['#/settings', 'Settings'],
       ['#/help', 'Complaints'], ['#/account', 'Privacy']]
    : [['#/login', 'Log in'], ['#/register', 'Register']];
  nav.replaceChildren(...links.map(([href, t]) => h('a', { href, text: t })),
    state.me ? h('button', { class: 'link', type: 'button', text: 'Log out', onclick: logout }) : null);
}

async function loadMe() {
  const r = await api('GET', '/api/users/me');
  state.me = r.ok ? r.json.data : null;
  renderNav();
  return state.me;
}

async function logout() {
  await api('POST', '/api/auth/logout');
  state.me = null;
  renderNav();
  location.hash = '#/login';
}

const routes = {};

/* The session cookie is HttpOnly; its CSRF twin says whether one exists. */
async function route() {
  const name = (location.hash.replace(/^#\/?/, '') || '').split('?')[0];
  if (['login', 'register'].includes(name)) {
    routes[name]();
    return;
  }
  if (!state.me && (!cookie('drop_csrf') || !(await loadMe()))) {
    location.hash = '#/login';
    return;
  }
  (routes[name] || routes[''])();
}

/* ---- Views: auth ---------------------------------------------------- */

routes.login = () => {
  show(h('h1', { text: 'Log in' }), h('div', { class: 'card' }, form({
    id: 'login', submit: 'Log in',
    fields: [{ name: 'email', label: 'Email', type: 'email', autocomplete: 'username' },
             { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' }],
    onSubmit: async (v) => {
      const r = await api('POST', '/api/auth/login', v);
      if (r.ok) { await loadMe(); location.hash = '#/'; }
      return r;
    }
  }), h('p', { class: 'note' }, 'New here? ', h('a', { href: '#/register', text: 'Create an account' }))));
};

routes.register = () => {
  show(h('h1', { text: 'Create your account' }), h('div', { class: 'card' }, form({
    id: 'register', submit: 'Register',
    fields: [{ name: 'firstName', label: 'First name', autocomplete: 'given-name' },
             { name: 'lastName', label: 'Last name', autocomplete: 'family-name' },
             { name: 'email', label: 'Email', type: 'email', autocomplete: 'email' },
             { name: 'password', label: 'Password (8+ characters, a letter and a digit)', type: 'password', autocomplete: 'new-password' },
             { name: 'phone', label: 'Phone (optional, +47…)', type: 'tel', autocomplete: 'tel' },
             { name: 'dateOfBirth', label: 'Date of birth', type: 'date' }],
    onSubmit: async (v) => {
      const r = await api('POST', '/api/auth/register', v);
      if (r.ok) { await loadMe(); location.hash = '#/'; }
      return r;
    }
  })));
};

/* ---- Views: overview, accounts, history ----------------------------- */

function txLine(t) {
  const who = t.recipientName || t.merchantName || '';
  return h('li', { 'data-id': t.id },
    h('span', {}, h('strong', { text: who }), h('br'),
      h('span', { class: 'note', text: t.type === 'remittance' ? 'Transfer' : 'Shop payment' }),
      ' · ', h('span', { class: 'note', text: t.status }), ' · ',
      h('span', { class: 'note', text: when(t.createdAt) })),
    h('span', { class: 'money', text: money(t.amount, t.currency) }));
}

/* History with infinite scroll on the cursor pagination. */
function history() {
  const list = h('ul', { class: 'list', id: 'tx-list', 'aria-label': 'Transactions' });
  const sentinel = h('div', { class: 'sentinel' });
  const empty = h('p', { class: 'note', text: 'No transactions yet.', hidden: true });
  let cursor = null;
  let done = false;
  let loading = false;
  async function more() {
    if (done || loading) return;
    loading = true;
    const r = await api('GET', '/api/transactions?limit=20' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    loading = false;
    if (!r.ok) return;
    for (const t of r.json.data) list.append(txLine(t));
    cursor = r.json.pagination.nextCursor;
    done = !cursor;
    empty.hidden = list.children.length > 0;
    if (!done && sentinel.getBoundingClientRect().top < window.innerHeight) more();
  }
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) more();
  });
  io.observe(sentinel);
  more();
  return h('section', { class: 'card' }, h('h2', { text: 'Recent transactions' }), list, empty, sentinel);
}

routes[''] = async () => {
  const me = await loadMe();
  if (!me) return;
  const accounts = h('ul', { class: 'list', id: 'accounts' },
    me.bankAccounts.map((a) => h('li', {},
      h('span', { text: a.bankName + ' ' + a.accountNumber + (a.isPrimary ? ' (primary)' : '') }),
      h('span', { class: 'money', text: money(a.balance, a.currency) }))));
  const link = form({
    id: 'link', submit: 'Link account',
    fields: [{ name: 'bankName', label: 'Bank' }, { name: 'accountNumber', label: 'Account number', inputmode: 'numeric' }],
    onSubmit: async (v) => {
      const r = await api('POST', '/api/bank-accounts', v);
      if (r.ok) routes['']();
      return r;
    }
  });
  show(h('h1', { text: 'Hi ' + me.firstName }),
    h('div', { class: 'grid' },
      h('section', { class: 'card' }, h('h2', { text: 'Total balance' }),
        h('p', { class: 'big money', id: 'total-balance', text: money(me.totalBalance) }),
        me.kycStatus !== 'approved' ? h('p', { class: 'note', text: 'Identity check: ' + me.kycStatus + '. Transfers abroad open once it is approved.' }) : null,
        accounts),
      h('section', { class: 'card' }, h('h2', { text: 'Link a bank account' }), link)),
    history());
};

/* ---- Views: send money ---------------------------------------------- */

function disclosureView(d) {
  const rows = [['Amount', money(d.amount)], ['Fee (' + d.feePercentage + ' %)', money(d.fee)],
    ['Exchange rate', String(d.exchangeRate)], ['Recipient gets', money(d.receiveAmount, d.receiveCurrency)],
    ['Delivery', d.estimatedDelivery], ['Total cost', money(d.totalCost)]];
  return h('dl', { class: 'facts', id: 'disclosure' }, rows.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
}

/*
 * Review, then confirm: the disclosure comes first; one Idempotency-Key
 * per attempt, reused when the same attempt is retried.
 */
function payFlow(kind, container, buildBody) {
  let attempt = null;
  const review = h('div', { id: kind + '-review', hidden: true });
  const f = form({
    id: kind, submit: 'Review',
    fields: kind === 'send'
      ? [{ name: 'recipientId', label: 'Recipient', type: 'select', options: container.options },
         { name: 'amount', label: 'Amount (NOK)', type: 'number', step: '0.01', inputmode: 'decimal' }]
      : [{ name: 'merchantId', label: 'Shop id (from its QR code)' },
         { name: 'amount', label: 'Amount (NOK)', type: 'number', step: '0.01', inputmode: 'decimal' }],
    onSubmit: async (v) => {
      const r = await api('POST', '/api/transactions/disclosure',
        kind === 'send' ? { type: 'remittance', amount: v.amount, recipientId: v.recipientId }
                        : { type: 'qr_payment', amount: v.amount });
      if (!r.ok) { review.hidden = true; return r; }
      attempt = { key: newKey(), body: buildBody(v) };
      const result = h('p', { class: 'err', role: 'alert' });
      const confirm = h('button', { type: 'button', id: kind + '-confirm', text: 'Confirm and pay' });
      confirm.addEventListener('click', async () => {
        confirm.disabled = true;
        const p = await api('POST', kind === 'send' ? '/api/transactions/remittance' : '/api/transactions/qr-payment',
          attempt.body, { 'Idempotency-Key': attempt.key });
        confirm.disabled = false;
        if (p.ok) {
          review.replaceChildren(h('p', { class: 'banner ok', id: kind + '-done',
            text: (kind === 'send' ? 'Transfer on its way: ' : 'Paid: ') + money(p.json.data.sendAmount || p.json.data.amount) }));
          attempt = null;
        } else {
          result.textContent = (p.json && p.json.message) || 'Not sent; you can retry safely.';
        }
      });
      review.replaceChildren(h('h2', { text: 'Before you pay' }), disclosureView(r.json.data), result,
        h('div', { class: 'row' }, confirm));
      review.hidden = false;
      return r;
    }
  });
  return h('div', { class: 'card' }, f, review);
}

/* The payout countries, from the server's one corridor table. */
async function corridorOptions() {
  const r = await api('GET', '/api/corridors');
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  return r.ok ? r.json.data.map((c) => [c.country, names.of(c.country)]) : [];
}

routes.send = async () => {
  const [r, countries] = await Promise.all([api('GET', '/api/recipients?limit=50'), corridorOptions()]);
  const recipients = r.ok ? r.json.data : [];
  const add = form({
    id: 'recipient', submit: 'Add recipient',
    fields: [{ name: 'name', label: 'Name' },
             { name: 'country', label: 'Country', type: 'select',
               value: countries.length ? countries[0][0] : '', options: countries },
             { name: 'bankAccount', label: 'Account or IBAN' },
             { name: 'bankName', label: 'Bank (optional)' }],
    onSubmit: async (v) => {
      const a = await api('POST', '/api/recipients', v);
      if (a.ok) routes.send();
      return a;
    }
  });
  const options = recipients.map((x) => [x.id, x.name + ' (' + x.country + ', ' + x.bankAccount + ')']);
  show(h('h1', { text: 'Send money home' }),
    h('div', { class: 'grid' },
      recipients.length
        ? payFlow('send', { options }, (v) => ({ recipientId: v.recipientId, amount: v.amount }))
        : h('div', { class: 'card' }, h('p', { text: 'Add a recipient first.' })),
      h('section', { class: 'card' }, h('h2', { text: 'Add a recipient' }), add)));
};

routes.pay = () => {
  show(h('h1', { text: 'Pay a shop' }),
    payFlow('pay', {}, (v) => ({ merchantId: (v.merchantId || '').replace(/^drop:\/\/pay\//, ''), amount: v.amount })));
};

/* ---- Views: merchant ------------------------------------------------ */

routes.merchant = async () => {
  const me = await loadMe();
  if (!me) return;
  if (me.role !== 'merchant') {
    show(h('h1', { text: 'Register your shop' }), h('div', { class: 'card' }, form({
      id: 'merchant', submit: 'Register shop',
      fields: [{ name: 'businessName', label: 'Business name' },
               { name: 'orgNumber', label: 'Organisation number (9 digits)', inputmode: 'numeric' },
               { name: 'address', label: 'Address (optional)' },
               { name: 'bankAccount', label: 'Payout account', inputmode: 'numeric' }],
      onSubmit: async (v) => {
        const r = await api('POST', '/api/merchants/register', v);
        if (r.ok) routes.merchant();
        return r;
      }
    })));
    return;
  }
  const qr = await api('GET', '/api/merchants/qr');
  const figures = h('dl', { class: 'facts', id: 'merchant-figures' });
  async function period(p) {
    const r = await api('GET', '/api/merchants/dashboard?period=' + p);
    if (!r.ok) return;
    const d = r.json.data;
    figures.replaceChildren(...[['Revenue', money(d.revenue)], ['Payments', String(d.transactionCount)],
      ['Fees', money(d.fees)], ['Net', money(d.netRevenue)],
      ['Next payout', money(d.nextPayout.amount) + ' on ' + d.nextPayout.date + ' ' + d.payoutTime]]
      .flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
  }
  const periods = h('div', { class: 'row', role: 'group', 'aria-label': 'Period' },
    [['today', 'Today'], ['week', 'This week'], ['month', 'This month']].map(([p, t]) =>
      h('button', { type: 'button', class: 'secondary', text: t, onclick: () => period(p) })));
  const recent = await api('GET', '/api/merchants/transactions?limit=20');
  show(h('h1', { text: qr.ok ? qr.json.data.businessName : 'My shop' }),
    h('div', { class: 'grid' },
      h('section', { class: 'card' }, h('h2', { text: 'Dashboard' }), periods, figures),
      h('section', { class: 'card' }, h('h2', { text: 'Your QR code' }),
        h('img', { class: 'qr', id: 'merchant-qr', src: '/api/merchants/qr.svg', alt: 'QR code for ' + (qr.ok ? qr.json.data.qrValue : 'your shop') }),
        h('p', { class: 'note', text: qr.ok ? qr.json.data.qrValue : '' }))),
    h('section', { class: 'card' }, h('h2', { text: 'Payments received' }),
      h('ul', { class: 'list' }, (recent.ok ? recent.json.data : []).map((t) =>
        h('li', {}, h('span', { text: t.customerName + ' · ' + when(t.createdAt) }),
          h('span', { class: 'money', text: money(t.netAmount) }))))));
  period('today');
};

/* ---- Views: cards (shown while their flag is on) -------------------- */

routes.cards = async () => {
  const r = await api('GET', '/api/cards');
  if (r.status === 404) {
    show(h('h1', { text: 'Cards' }), h('p', { class: 'card', text: 'Cards are not available yet.' }));
    return;
  }
  const cards = r.ok ? r.json.data : [];
  const msg = h('p', { class: 'err', role: 'alert' });
  async function act(method, path, body) {
    const a = await api(method, path, body);
    if (a.ok) routes.cards(); else msg.textContent = (a.json && a.json.message) || 'Failed';
  }
  show(h('h1', { text: 'Cards' }), msg,
    h('div', { class: 'row' }, h('button', { type: 'button', text: 'New virtual card', onclick: () => act('POST', '/api/cards', { type: 'virtual' }) })),
    h('ul', { class: 'list card' }, cards.map((c) => h('li', {},
      h('span', { text: c.brand + ' ' + c.maskedNumber + ' · ' + c.type + ' · ' + c.status + ' · ' + c.expiryMonth + '/' + c.expiryYear }),
      h('span', { class: 'row' },
        h('button', { type: 'button', class: 'secondary', text: c.status === 'frozen' ? 'Unfreeze' : 'Freeze',
          onclick: () => act('PATCH', '/api/cards/' + c.id, { status: c.status === 'frozen' ? 'active' : 'frozen' }) }),
        h('button', { type: 'button', class: 'danger', text: 'Cancel',
          onclick: () => { if (confirm('Cancel this card for good?')) act('DELETE', '/api/cards/' + c.id); } }))))));
};

/* ---- Views: notifications, settings, consents, complaints ----------- */

routes.notifications = async () => {
  const r = await api('GET', '/api/notifications?limit=50');
  if (r.status === 404) { show(h('h1', { text: 'Notifications' }), h('p', { class: 'card', text: 'Notifications are off.' })); return; }
  const items = r.ok ? r.json.data : [];
  const unread = items.filter((n) => !n.read).map((n) => n.id);
  show(h('h1', { text: 'Notifications' }),
    unread.length ? h('div', { class: 'row' }, h('button', { type: 'button', text: 'Mark all read',
      onclick: async () => { await api('PATCH', '/api/notifications', { notificationIds: unread.slice(0, 100) }); routes.notifications(); } })) : null,
    h('ul', { class: 'list card' }, items.length ? items.map((n) => h('li', { class: n.read ? '' : 'unread' },
      h('span', {}, h('strong', { text: n.title }), h('br'), h('span', { text: n.body })),
      h('span', { class: 'note', text: when(n.createdAt) }))) : h('li', { text: 'Nothing yet.' })));
};

routes.settings = async () => {
  const r = await api('GET', '/api/settings');
  const s = r.ok ? r.json.data : {};
  const c = await api('GET', '/api/consents');
  const current = Object.fromEntries((c.ok ? c.json.data : []).map((x) => [x.consent_type, x]));
  const saved = h('p', { class: 'note', 'aria-live': 'polite' });
  const settings = form({
    id: 'settings', submit: 'Save settings',
    fields: [{ name: 'currency', label: 'Display currency', type: 'select', value: s.currency,
               options: ['NOK', 'EUR', 'USD', 'GBP', 'BAM', 'CHF', 'PLN', 'RSD', 'TRY', 'PKR'].map((x) => [x, x]) },
             { name: 'language', label: 'Language', type: 'select', value: s.language,
               options: [['nb', 'Norsk bokmål'], ['en', 'English'], ['bs', 'Bosanski'], ['sq', 'Shqip']] },
             { name: 'pushEnabled', label: 'Push notifications', type: 'checkbox', value: s.pushEnabled },
             { name: 'emailEnabled', label: 'Email notifications', type: 'checkbox', value: s.emailEnabled }],
    onSubmit: async (v) => {
      const u = await api('PATCH', '/api/settings', v);
      saved.textContent = u.ok ? 'Saved.' : '';
      return u;
    }
  });
  const types = [['terms', 'Terms of service'], ['privacy', 'Privacy policy'], ['marketing', 'Marketing messages'],
    ['cookies_analytics', 'Analytics cookies'], ['cookies_marketing', 'Marketing cookies']];
  const consents = h('ul', { class: 'list' }, types.map(([t, label]) => {
    const box = h('input', { type: 'checkbox', id: 'consent-' + t, checked: !!(current[t] && current[t].granted) });
    box.addEventListener('change', async () => {
      const u = await api('POST', '/api/consents', { consentType: t, granted: box.checked });
      if (!u.ok) box.checked = !box.checked;
    });
    return h('li', {}, h('label', { class: 'check', for: 'consent-' + t }, box, label),
      h('span', { class: 'note', text: current[t] && current[t].granted_at ? 'since ' + when(current[t].granted_at) : '' }));
  }));
  show(h('h1', { text: 'Settings' }), h('div', { class: 'grid' },
    h('section', { class: 'card' }, settings, saved),
    h('section', { class: 'card' }, h('h2', { text: 'Consents' }), consents)));
};

routes.help = async () => {
  const r = await api('GET', '/api/complaints?limit=20');
  const done = h('p', { class: 'note', 'aria-live': 'polite' });
  const f = form({
    id: 'complaint', submit: 'Send complaint',
    fields: [{ name: 'category', label: 'About', type: 'select', value: 'service',
               options: [['transaction', 'A transaction'], ['service', 'The service'], ['fees', 'Fees'],
                         ['privacy', 'Privacy'], ['technical', 'Something technical'], ['other', 'Other']] },
             { name: 'subject', label: 'Subject' },
             { name: 'description', label: 'What happened?', type: 'textarea' }],
    onSubmit: async (v) => {
      const c = await api('POST', '/api/complaints', v);
      if (c.ok) { done.textContent = c.json.commitmentNote; }
      return c;
    }
  });
  show(h('h1', { text: 'Complaints' }), h('div', { class: 'grid' },
    h('section', { class: 'card' }, f, done),
    h('section', { class: 'card' }, h('h2', { text: 'Your complaints' }),
      h('ul', { class: 'list' }, (r.ok ? r.json.data : []).map((c) =>
        h('li', {}, h('span', { text: c.subject }), h('span', { class: 'note', text: c.status })))))));
};

/* ---- Views: privacy (export, deletion) ------------------------------ */

routes.account = () => {
  const out = h('p', { class: 'note', 'aria-live': 'polite' });
  const exp = h('button', { type: 'button', id: 'export', text: 'Download my data' });
  exp.addEventListener('click', async () => {
    const r = await api('GET', '/api/user/data-export');
    if (!r.ok) { out.textContent = (r.json && r.json.message) || 'Export failed'; return; }
    const blob = new Blob([JSON.stringify(r.json, null, 2)], { type: 'application/json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: 'drop-data-export.json', id: 'export-link',
      text: 'Save drop-data-export.json' });
    out.replaceChildren('Your export is ready: ', a);
  });
  const del = h('button', { type: 'button', class: 'danger', text: 'Delete my account' });
  del.addEventListener('click', async () => {
    if (!confirm('Delete your account? You will be logged out. Records are kept 5 years as the law requires.')) return;
    const r = await api('DELETE', '/api/user/account');
    if (r.ok) { state.me = null; renderNav(); banner(r.json.message + '. ' + r.json.retentionNote, true); location.hash = '#/login'; }
  });
  show(h('h1', { text: 'Privacy' }), h('div', { class: 'grid' },
    h('section', { class: 'card' }, h('h2', { text: 'Your data' }),
      h('p', { text: 'Everything Drop holds about you, as a file.' }), exp, out),
    h('section', { class: 'card' }, h('h2', { text: 'Delete account' }), del)));
};

window.addEventListener('hashchange', route);
document.addEventListener('DOMContentLoaded', () => { renderNav(); route(); });
