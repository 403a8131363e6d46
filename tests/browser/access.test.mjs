// Accessibility and the smaller paths: every page passes axe-core's WCAG 2.1 A/AA rules; at
// 200% zoom (half the width) no page scrolls sideways; the worklist searches, filters and
// sorts; a file dropped on the upload area is uploaded; a password change takes effect.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, synth, launch, login, apiToken, PASSWORDS, ROOT } from './harness.mjs';

const AXE = fs.readFileSync(path.join(ROOT, 'tests/browser/node_modules/axe-core/axe.min.js'), 'utf8');

let srv;
let browser;
let tmp;
let token;
let wav;
let id;

async function upload(patient, priority) {
  const form = new FormData();
  form.append('audio', new Blob([fs.readFileSync(wav)]), 'x.wav');
  form.append('meta', JSON.stringify({ author: 'dr.marsh', priority, patient: { name: patient, mrn: `MRN-${patient.length}` } }));
  const r = await fetch(srv.url + '/api/dictations', { method: 'POST', body: form, headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 201);
  return (await r.json()).id;
}

before(async () => {
  srv = await startServer();
  browser = await launch();
  token = apiToken(srv.dir, 'sam');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'medscribe-access-'));
  wav = synth('The chest is clear. Continue bisoprolol two point five milligrams once daily.', path.join(tmp, 'a.wav'));
  id = await upload('Alice Brown', 'routine');
  await upload('Zed Adams', 'urgent');
  for (let i = 0; i < 120; i += 1) {
    const r = await fetch(`${srv.url}/api/dictations/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    if ((await r.json()).status === 'review') break;
    await new Promise((res) => setTimeout(res, 500));
  }
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** axe-core's WCAG 2.1 A and AA violations on the page, as "rule: target" lines. */
async function axe(page) {
  await page.evaluate(AXE); // evaluated through the debugger protocol: the page's CSP stays strict
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${v.help}`));
}

const PAGES = [['sam', '/'], ['sam', '/new'], ['sam', '/dictations/ID'], ['sam', '/account'], ['ada', '/admin'], ['dr.marsh', '/']];

test('every page passes axe-core (WCAG 2.1 A and AA), at full width and at 200% zoom', async () => {
  const found = [];
  for (const [user, route] of PAGES) {
    for (const viewport of [{ width: 1366, height: 860 }, { width: 683, height: 430 }]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await login(page, srv.url, user);
      await page.goto(srv.url + route.replace('ID', id));
      await page.waitForLoadState('networkidle');
      if (route.startsWith('/dictations')) await page.locator('#transcript .w').first().waitFor();
      if (route === '/') await page.locator('#worklist tbody tr').first().waitFor();
      for (const v of await axe(page)) found.push(`${user} ${route} ${viewport.width}px: ${v}`);
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (sideways > 1) found.push(`${user} ${route} ${viewport.width}px: scrolls ${sideways}px sideways`);
      await page.goto(srv.url + '/login');
      await context.close();
    }
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(srv.url + '/login');
  for (const v of await axe(page)) found.push(`/login: ${v}`);
  await context.close();
  assert.deepEqual(found, []);
});

test('the worklist searches, filters by priority and sorts by patient', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, srv.url, 'sam');
  await page.click('[data-view="all"]');
  const names = () => page.locator('#worklist tbody .patient').allInnerTexts();
  await page.locator('#worklist tbody tr[data-id]').nth(1).waitFor();
  // Most pressing first: the urgent one.
  assert.deepEqual(await names(), ['Zed Adams', 'Alice Brown']);
  await page.click('th[data-sort="patient"] button');
  assert.equal(await page.locator('th[data-sort="patient"]').getAttribute('aria-sort'), 'ascending');
  assert.deepEqual(await names(), ['Alice Brown', 'Zed Adams']);
  await page.click('th[data-sort="patient"] button');
  assert.equal(await page.locator('th[data-sort="patient"]').getAttribute('aria-sort'), 'descending');
  assert.deepEqual(await names(), ['Zed Adams', 'Alice Brown']);
  await page.fill('#search', 'brown');
  assert.deepEqual(await names(), ['Alice Brown']);
  await page.fill('#search', 'MRN-11');
  assert.deepEqual(await names(), ['Alice Brown']);
  await page.fill('#search', '');
  await page.selectOption('#f-priority', 'urgent');
  assert.deepEqual(await names(), ['Zed Adams']);
  await context.close();
});

test('a file dropped on the upload area becomes a dictation', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, srv.url, 'sam');
  await page.goto(srv.url + '/new');
  await page.selectOption('#author', 'dr.marsh');
  await page.fill('#patient-name', 'Dropped File');
  const bytes = [...fs.readFileSync(wav)];
  const files = () => page.evaluateHandle((b) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'dropped.wav', { type: 'audio/wav' }));
    return dt;
  }, bytes);
  const drop = await files();
  await page.dispatchEvent('#drop', 'dragover', { dataTransfer: drop });
  assert.match(await page.locator('#drop').getAttribute('class'), /over/);
  await page.dispatchEvent('#drop', 'drop', { dataTransfer: drop });
  const link = page.locator('#uploads a', { hasText: 'Queued for transcription' });
  await link.waitFor({ timeout: 15_000 });
  const newId = (await link.getAttribute('href')).split('/').pop();
  const r = await fetch(`${srv.url}/api/dictations/${newId}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal((await r.json()).patient.name, 'Dropped File');
  // Without an author chosen, nothing is sent and the author box says why.
  await page.reload();
  await page.dispatchEvent('#drop', 'drop', { dataTransfer: await files() });
  assert.equal(await page.locator('#author').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#uploads li').count(), 0);
  await context.close();
});

test('a password change takes effect: the old one no longer signs in', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, srv.url, 'sue');
  await page.goto(srv.url + '/account');
  await page.fill('#current', 'wrong password here');
  await page.fill('#new', 'a brand new passphrase');
  await page.fill('#again', 'a brand new passphrase');
  await page.click('#password-form button[type=submit]');
  await page.locator('#password-error:not([hidden])').waitFor();
  assert.match(await page.locator('#password-error').innerText(), /current password is wrong/);
  await page.fill('#current', PASSWORDS.sue);
  await page.fill('#new', 'a brand new passphrase');
  await page.fill('#again', 'a brand new passphrase');
  await page.click('#password-form button[type=submit]');
  await page.locator('#password-done', { hasText: 'changed' }).waitFor();
  await page.click('button:has-text("Sign out")');
  await page.waitForURL('**/login');
  await assert.rejects(login(page, srv.url, 'sue'), /refused: 401/);
  await login(page, srv.url, 'sue', 'a brand new passphrase');
  await context.close();
});
