// Unit tests of the web client's pure parts (assets/app.js), with node's own
// test runner: `node --test tests/web/` (make test runs it). The amount
// parser gets the most: a misread amount could pay a hundred times too much.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const app = require('../../assets/app.js');

const NBSP = '\u00a0';

test('amounts people write in Norway are read exactly, in øre', () => {
  const cases = [
    ['1005,50', 100550], ['1 005,50', 100550], ['1.005,50', 100550],
    ['1005.5', 100550], ['149,50', 14950], ['149', 14900], ['0,5', 50],
    [' 1\u00a0005,5 ', 100550], ['1\u202f005,50', 100550], ['1,005.50', 100550],
    ['1.000.000', 100000000], ['1 000 000,00', 100000000], ['100,', 10000],
    ['50000', 5000000], ['0,01', 1]];
  for (const [text, ore] of cases) {
    assert.deepEqual(app.parseAmount(text), { ore }, text);
  }
});

test('amounts that could be misread are refused, never guessed', () => {
  const cases = [
    ['', 'empty'], ['   ', 'empty'], [undefined, 'empty'],
    ['12,345', 'decimals'], ['1.005', 'decimals'], ['10,001', 'decimals'],
    ['abc', 'invalid'], ['12a', 'invalid'], ['-5', 'invalid'], ['1e3', 'invalid'],
    ['1,2,3', 'invalid'], ['1.00,00,0', 'invalid'], ['12.34,5', 'invalid'],
    ['1.0000,50', 'invalid'], [',', 'invalid'], ['.', 'invalid'], ['kr 100', 'invalid'],
    ['1 005,50 kr', 'invalid'], ['9999999999999', 'invalid']];
  for (const [text, error] of cases) {
    assert.deepEqual(app.parseAmount(text), { error }, String(text));
  }
});

test('øre become the JSON number the API takes', () => {
  assert.equal(app.oreToNumber(100550), 1005.5);
  assert.equal(app.oreToNumber(14950), 149.5);
  assert.equal(app.oreToNumber(1), 0.01);
  assert.equal(JSON.stringify({ a: app.oreToNumber(101003) }), '{"a":1010.03}');
});

test('money, rates and percentages are written the Norwegian way', () => {
  const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');
  assert.equal(plain(app.money(1005)), '1 005,00 kr');
  assert.equal(plain(app.money(-1010.03)), '−1 010,03 kr');
  assert.equal(plain(app.money(11760, 'RSD')), '11 760,00 RSD');
  assert.equal(plain(app.rateText(11.7, 'RSD')), '1 NOK = 11,70 RSD');
  assert.equal(plain(app.percent(0.5)), '0,5 %');
  assert.equal(plain(app.percent(1)), '1 %');
  assert.ok(app.money(1005).includes(NBSP + 'kr'), 'kr never wraps onto its own line');
});

test('dates, account numbers, birth dates and shop codes', () => {
  assert.equal(app.day('2026-12-02'), '02.12.2026');
  assert.equal(app.day('nonsense'), '');
  assert.equal(app.accountText('12345678903'), '1234.56.78903');
  assert.equal(app.accountText('1234.56.78903'), '1234.56.78903');
  assert.equal(app.dateToIso('17.05.1990'), '1990-05-17');
  assert.equal(app.dateToIso('7.5.1990'), '1990-05-07');
  assert.equal(app.dateToIso('1990-05-17'), '1990-05-17');
  assert.equal(app.dateToIso('05/17/1990'), null);
  const id = 'mer_0123456789abcdef';
  for (const held of [id, 'drop://pay/' + id, 'https://drop.example/#/pay/' + id, ' ' + id + ' ']) {
    assert.equal(app.shopId(held), id, held);
  }
  for (const bad of ['', 'mer_123', 'https://evil.example/#/pay/mer_0123456789abcdeg', 'shop']) {
    assert.equal(app.shopId(bad), null, bad);
  }
});

test('every text the client shows has its Norwegian version', () => {
  const src = fs.readFileSync(path.join(__dirname, '..', '..', 'assets', 'app.js'), 'utf8');
  const used = new Set();
  for (const m of src.matchAll(/\bt\('((?:[^'\\]|\\.)*)'/g)) used.add(m[1].replace(/\\'/g, "'"));
  const missing = [...used].filter((s) => app.NB[s] === undefined);
  assert.deepEqual(missing, [], 'texts without a Norwegian version');
  // A text given twice keeps only its last version, silently.
  const table = src.slice(src.indexOf('const NB = {'), src.indexOf('\n};', src.indexOf('const NB = {')));
  const keys = [...table.matchAll(/^  '((?:[^'\\]|\\.)*)':/gm)].map((m) => m[1]);
  assert.deepEqual(keys.filter((k, i) => keys.indexOf(k) !== i), [], 'texts with two Norwegian versions');
  app.setLangForTests('nb');
  assert.equal(app.t('Hi {name}', { name: 'Kari' }), 'Hei Kari');
  app.setLangForTests('en');
  assert.equal(app.t('Hi {name}', { name: 'Kari' }), 'Hi Kari');
});

test('a failed payment says why in words, and that the money stayed', () => {
  app.setLangForTests('en');
  assert.match(app.failureText('rejected_by_bank'), /Not approved at your bank.*stays in your account/);
  assert.match(app.failureText('expired'), /within 15 minutes/);
  assert.match(app.failureText('bank_unavailable'), /could not be reached/);
  assert.match(app.failureText('cancelled'), /^Cancelled/);
  assert.match(app.failureText(null), /fee included, is back/);
  app.setLangForTests('nb');
  assert.match(app.failureText('expired'), /innen 15 minutter/);
});

test('a consent is announced from 14 days before its last day, and once it ended', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const acct = (status, until) => ({ status, consentExpiresAt: until });
  assert.equal(app.consentNotice(acct('active', '2026-12-17T00:00:00.000Z'), now), null);
  assert.deepEqual(app.consentNotice(acct('active', '2026-12-15T00:00:00.000Z'), now), { ended: false, date: '2026-12-15' });
  // The last day itself still reads; the day after, it has ended.
  assert.deepEqual(app.consentNotice(acct('active', '2026-12-02T00:00:00.000Z'), now), { ended: false, date: '2026-12-02' });
  assert.deepEqual(app.consentNotice(acct('active', '2026-12-01T00:00:00.000Z'), now), { ended: true, date: '2026-12-01' });
  assert.equal(app.consentNotice(acct('pending_consent', '2026-12-01T00:00:00.000Z'), now), null);
  assert.equal(app.consentNotice(acct('active', null), now), null);
});

test('a statement is read back cell by cell and to the øre', () => {
  const text = 'date,type,counterparty,total\r\n' +
    '"2026-11-03 14:02","qr_payment","Kafé ""Nord"", Oslo","-123.45"\r\n' +
    '"2026-11-04 09:00","refund","A\nB","20.00"\r\n';
  assert.deepEqual(app.parseCsv(text), [
    ['date', 'type', 'counterparty', 'total'],
    ['2026-11-03 14:02', 'qr_payment', 'Kafé "Nord", Oslo', '-123.45'],
    ['2026-11-04 09:00', 'refund', 'A\nB', '20.00']]);
  assert.equal(app.csvOre('-123.45'), -12345);
  assert.equal(app.csvOre('20.00'), 2000);
  assert.equal(app.csvOre('0.07'), 7);
  assert.equal(app.csvOre('-0.07'), -7);
  assert.equal(app.csvOre('1e3'), 0);
});
