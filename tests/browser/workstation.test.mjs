// The workstation end to end in a real headless Chromium against a real `medscribe serve`
// (SQLite, tiny.en): a secretary uploads a synthesised dictation, finds it in the worklist,
// plays it with the highlight following the audio, clicks a word to seek, edits a word,
// resolves a query, sends one to the author; the author answers and approves; the DOCX is
// downloaded and read. Also: a second secretary sees who holds the dictation, a session that
// ends mid-edit loses nothing, and no page breaks the CSP. Screenshots go to target/screenshots
// (docs/screenshots with UPDATE_SCREENSHOTS=1).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, synth, launch, login, screenshot, apiToken, pageErrors, cspViolations } from './harness.mjs';

const DICTATION = 'This is Doctor Marsh dictating a clinic letter to Doctor Patel about Mr John Smith, date of birth third of May nineteen fifty eight. '
  + 'Dear Doctor Patel, thank you for referring this gentleman with palpitations. He has atrial fibrillation. '
  + 'I have started digoxin five milligrams daily and bisoprolol two point five milligrams once daily. '
  + 'His left knee is swollen and the right knee is fine. Please arrange an echocardiogram. Yours sincerely.';

let srv;
let browser;
let tmp;
let wav;
let addendum;
let token;
const errors = [];

before(async () => {
  srv = await startServer();
  browser = await launch();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'medscribe-pages-'));
  wav = synth(DICTATION, path.join(tmp, 'clinic-letter.wav'), { speed: 140 });
  addendum = synth('Addendum for Mr John Smith. Please add that his potassium was normal.', path.join(tmp, 'addendum.wav'), { speed: 150 });
  token = apiToken(srv.dir, 'sam');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function apiGet(p) {
  const r = await fetch(srv.url + p, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200, `GET ${p}`);
  return r.json();
}

async function signedIn(user) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1366, height: 860 } });
  const page = await context.newPage();
  errors.push(...[]);
  const mine = pageErrors(page);
  page.on('close', () => errors.push(...mine.map((e) => `${user}: ${e}`)));
  await login(page, srv.url, user);
  return { context, page, errors: mine };
}

/** The dictation's id once the worker has transcribed it. */
async function waitForReview(id) {
  for (let i = 0; i < 120; i += 1) {
    const d = await apiGet(`/api/dictations/${id}`);
    if (d.status === 'review') return d;
    assert.notEqual(d.status, 'failed', `transcription failed: ${d.error}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the dictation was not transcribed within 60 s');
}

let id;

test('a secretary uploads a dictation and opens it from the worklist by keyboard', async () => {
  const { page } = await signedIn('sam');
  await page.goto(srv.url + '/new');
  await page.selectOption('#author', 'dr.marsh');
  await page.fill('#patient-name', 'John Smith');
  await page.selectOption('#priority', 'urgent');
  // Two files at once: each becomes a dictation, each with its own progress and link.
  await page.setInputFiles('#files', [wav, addendum]);
  const links = page.locator('#uploads a', { hasText: 'Queued for transcription' });
  await links.nth(1).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#uploads progress').count(), 2);
  id = (await links.first().getAttribute('href')).split('/').pop();
  await page.locator('#uploads').scrollIntoViewIfNeeded();
  await screenshot(page, 'new-dictation');
  // Two more from a practice system through the API, for a fuller worklist.
  for (const [name, priority, template, due] of [['Jane Doe', 'stat', 'discharge-summary', null], ['Peter Brown', 'routine', 'referral-letter', '2026-01-05']]) {
    const form = new FormData();
    form.append('audio', new Blob([fs.readFileSync(addendum)]), 'x.wav');
    form.append('meta', JSON.stringify({ author: 'dr.marsh', priority, template, due, patient: { name, mrn: `RX${name.length}00` } }));
    const r = await fetch(srv.url + '/api/dictations', { method: 'POST', body: form, headers: { Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 201, await r.text());
  }

  await page.goto(srv.url + '/');
  const row = page.locator(`tr[data-id="${id}"]`);
  await row.waitFor();
  // Most pressing first: the STAT one leads.
  assert.match(await page.locator('tbody tr').first().innerText(), /STAT[\s\S]*Jane Doe/);
  assert.match(await page.locator('tr', { hasText: 'Peter Brown' }).innerText(), /Overdue/);
  assert.match(await row.innerText(), /John Smith/);
  assert.match(await row.innerText(), /Urgent/);
  await waitForReview(id);
  // The list refreshes itself: no reload.
  await page.locator(`tr[data-id="${id}"] .s-review`).waitFor({ timeout: 15_000 });
  await screenshot(page, 'worklist');
  // Keyboard: the grid is one tab stop; arrows move, Enter opens.
  await page.locator('tr[data-id] a.open').first().focus();
  const rows = await page.locator('tr[data-id]').evaluateAll((trs) => trs.map((t) => t.dataset.id));
  for (let i = 0; i < rows.indexOf(id); i += 1) await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.closest('tr').dataset.id), id);
  await Promise.all([page.waitForURL(`**/dictations/${id}`), page.keyboard.press('Enter')]);
  await page.locator('#transcript .w').first().waitFor();
  await page.close();
});

test('playing moves the highlight; a click on a word seeks there; an edit keeps other words\' times', async () => {
  const { page } = await signedIn('sam');
  await page.goto(`${srv.url}/dictations/${id}`);
  await page.locator('#transcript .w[data-start]').first().waitFor();
  await page.waitForFunction(() => document.getElementById('player').readyState >= 1);

  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('player').currentTime > 2.5, null, { timeout: 15_000 });
  const first = Number(await page.locator('#transcript .w.now').getAttribute('data-start'));
  await page.waitForFunction((t) => {
    const now = document.querySelector('#transcript .w.now');
    return now && Number(now.dataset.start) > t + 0.5;
  }, first, { timeout: 10_000 });
  const later = Number(await page.locator('#transcript .w.now').getAttribute('data-start'));
  assert.ok(later > first, `the highlight did not move on: ${first} then ${later}`);
  const audioAt = await page.evaluate(() => document.getElementById('player').currentTime);
  assert.ok(Math.abs(audioAt - later) < 2, `highlighted word at ${later} s while the audio is at ${audioAt} s`);
  await page.click('#play');

  const echo = page.locator('#transcript .w', { hasText: /^echocardiogram$/ });
  const echoStart = Number(await echo.getAttribute('data-start'));
  await echo.click();
  await page.waitForFunction((t) => {
    const a = document.getElementById('player');
    return !a.paused && a.currentTime >= t - 0.05 && a.currentTime < t + 1.5;
  }, echoStart, { timeout: 5_000 });
  await page.click('#play');

  const before = await apiGet(`/api/dictations/${id}`);
  const timeOf = (t, word) => {
    const chars = Array.from(t.text);
    return t.timed.find((w) => chars.slice(w[0], w[1]).join('') === word);
  };
  const echoBefore = timeOf(before.transcript, 'echocardiogram');
  // Select the word "palpitations" and type over it.
  await page.evaluate(() => {
    const w = [...document.querySelectorAll('#transcript .w')].find((s) => s.textContent === 'palpitations');
    const r = document.createRange();
    r.selectNodeContents(w);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(r);
    document.getElementById('transcript').focus();
  });
  await page.keyboard.type('breathlessness');
  await page.locator('#saved', { hasText: /^Saved/ }).waitFor({ timeout: 10_000 });
  const after = await apiGet(`/api/dictations/${id}`);
  assert.match(after.transcript.text, /with breathlessness\./);
  assert.doesNotMatch(after.transcript.text, /palpitations/);
  const echoAfter = timeOf(after.transcript, 'echocardiogram');
  assert.deepEqual(echoAfter.slice(2), echoBefore.slice(2), 'an untouched word lost its audio time');
  await screenshot(page, 'review');
  await page.close();
});

test('a second secretary sees who holds the dictation; it is hers once he leaves it', async () => {
  const sam = await signedIn('sam');
  await sam.page.goto(`${srv.url}/dictations/${id}`);
  await sam.page.locator('#transcript .w').first().waitFor();
  const { page } = await signedIn('sue');
  await page.goto(`${srv.url}/dictations/${id}`);
  await page.locator('#lockbar:not([hidden])').waitFor();
  assert.match(await page.locator('#lockbar').innerText(), /sam is working on this dictation/);
  assert.equal(await page.locator('#transcript').getAttribute('contenteditable'), 'false');
  assert.equal(await page.locator('#queries .decide').count(), 0, 'decision buttons shown to a secretary without the lock');
  await screenshot(page, 'review-locked');
  // Leaving the page gives the dictation back to the pool; the reader is told, and takes it.
  await sam.page.goto(srv.url + '/');
  await sam.page.close();
  await page.getByRole('button', { name: 'Work on it' }).click({ timeout: 20_000 });
  assert.match(await page.locator('#announce').textContent(), /sam has left this dictation/);
  await page.locator('#transcript[contenteditable="plaintext-only"]').waitFor();
  assert.equal(await page.locator('#lockbar').isHidden(), true);
  assert.equal(await page.locator('#transcript').getAttribute('contenteditable'), 'plaintext-only');
  await page.goto(srv.url + '/');
  await page.close();
});

test('queries: one resolved with the corrected text, one sent to the author, who answers and approves', async () => {
  const sam = await signedIn('sam');
  let page = sam.page;
  await page.goto(`${srv.url}/dictations/${id}`);
  await page.locator('#queries li[data-finding]').first().waitFor();
  const d = await apiGet(`/api/dictations/${id}`);
  const drug = d.transcript.findings.find((f) => f.kind === 'unknown_term' && f.suggestions.includes('digoxin'));
  assert.ok(drug, `no query suggests digoxin: ${JSON.stringify(d.transcript.findings.map((f) => [f.kind, f.text]))}`);
  const li = page.locator(`#queries li[data-finding="${drug.id}"]`);
  // A click on the query selects its words and plays its audio.
  await li.locator('button.said').click();
  const selected = await page.evaluate(() => window.getSelection().toString());
  assert.equal(selected, drug.text);
  await page.waitForFunction((t) => Math.abs(document.getElementById('player').currentTime - t) < 1.5, drug.time[0]);
  await page.click('#play');
  await li.locator('input[aria-label="Corrected text"]').fill('digoxin');
  await li.getByRole('button', { name: 'Resolve' }).click();
  await page.locator('#saved', { hasText: /^Saved/ }).waitFor({ timeout: 10_000 });
  await page.waitForFunction(() => /started digoxin/.test(document.getElementById('transcript').textContent));
  let now = await apiGet(`/api/dictations/${id}`);
  assert.match(now.transcript.text, /started digoxin 5 mg/);

  const unsure = now.transcript.findings.find((f) => f.kind === 'low_confidence' && f.state === 'open');
  assert.ok(unsure, 'no low-confidence query left to send to the author');
  const ask = page.locator(`#queries li[data-finding="${unsure.id}"]`);
  await ask.locator('input[aria-label="Reason or question"]').fill('Did you say "he has atrial fibrillation"?');
  await ask.getByRole('button', { name: 'Ask the author' }).click();
  await page.locator('#status-chip .s-queried').waitFor();
  await page.close();

  const author = await signedIn('dr.marsh');
  page = author.page;
  await page.locator('#author-banner:not([hidden])').waitFor();
  assert.match(await page.locator('#author-banner').innerText(), /1 dictation has queries waiting/);
  await page.goto(`${srv.url}/dictations/${id}`);
  const asked = page.locator(`#queries li[data-finding="${unsure.id}"]`);
  await asked.locator('textarea').fill('Yes: he has atrial fibrillation.');
  await screenshot(page, 'review-author');
  await asked.getByRole('button', { name: 'Send answer' }).click();
  await page.locator('#status-chip .s-review').waitFor();

  // The secretary sees the answer and finishes the queries.
  const sam2 = await signedIn('sam');
  page = sam2.page;
  await page.goto(`${srv.url}/dictations/${id}`);
  const answered = page.locator(`#queries li[data-finding="${unsure.id}"]`);
  await answered.locator('.answer').waitFor();
  assert.match(await answered.locator('.answer').innerText(), /Yes: he has atrial fibrillation/);
  now = await apiGet(`/api/dictations/${id}`);
  for (const f of now.transcript.findings.filter((x) => x.state === 'open')) {
    const item = page.locator(`#queries li[data-finding="${f.id}"]`);
    await item.locator('input[aria-label="Reason or question"]').fill('Checked against the audio.');
    await item.getByRole('button', { name: 'Dismiss' }).click();
    await item.locator('text=Dismissed').waitFor();
  }
  // The letter says what it still needs; the secretary fills it in on the page.
  await page.locator('#missing:not([hidden])').waitFor();
  assert.equal(await page.locator('#p-mrn').getAttribute('aria-invalid'), 'true');
  await page.fill('#p-mrn', 'RX4471');
  await page.fill('#r-address', 'Northgate Surgery\n1 High Street\nNorthgate NG1 1AA');
  for (const input of await page.locator('#missing-fields input').all()) {
    const label = await page.locator(`label[for="${await input.getAttribute('id')}"]`).innerText();
    await input.fill(/role/i.test(label) ? 'Consultant Cardiologist' : 'Cardiology Outpatient Clinic');
  }
  await screenshot(page, 'review-details');
  await page.click('#fields button[type=submit]');
  await page.locator('#fields-saved', { hasText: 'Saved' }).waitFor();
  await page.waitForFunction(() => {
    const t = document.getElementById('letter').textContent;
    return /RX4471/.test(t) && !/\[missing:/.test(t);
  }, null, { timeout: 10_000 });
  await page.close();

  page = (await signedIn('dr.marsh')).page;
  await page.goto(`${srv.url}/dictations/${id}`);
  await page.locator('#approve:not([hidden])').click();
  await page.locator('#status-chip .s-approved').waitFor();
  const href = await page.locator('#docx').getAttribute('href');
  const probe = await page.evaluate(async (h) => { const r = await fetch(h); return [r.status, r.headers.get('content-type'), r.headers.get('content-disposition'), r.status === 200 ? '' : await r.text()]; }, href);
  assert.equal(probe[0], 200, `GET ${href}: ${probe}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#docx')]);
  const file = path.join(tmp, 'letter.docx');
  await download.saveAs(file);
  const xml = execFileSync('python3', ['-c', 'import sys,zipfile;print(zipfile.ZipFile(sys.argv[1]).read("word/document.xml").decode())', file]).toString();
  const text = xml.replace(/<[^>]+>/g, '');
  assert.match(text, /digoxin 5 mg/);
  assert.match(text, /breathlessness/);
  assert.match(text, /John Smith/);
  await page.close();

});

test('a session that ends mid-edit keeps the edit and saves it after signing in again; approved again and sent', async () => {
  // Back to review so the transcript can be edited again.
  const { page, context } = await signedIn('dr.marsh');
  await page.goto(`${srv.url}/dictations/${id}`);
  await page.locator('#to-review:not([hidden])').click();
  await page.locator('#status-chip .s-review').waitFor();
  await context.clearCookies();
  await page.evaluate(() => {
    const w = [...document.querySelectorAll('#transcript .w')].find((s) => s.textContent === 'swollen');
    const r = document.createRange();
    r.selectNodeContents(w);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(r);
    document.getElementById('transcript').focus();
  });
  await page.keyboard.type('tender');
  await page.locator('#relogin[open]').waitFor({ timeout: 10_000 });
  // Kept in this browser under the user's name while the server cannot be reached.
  const key = `medscribe-draft-dr.marsh-${id}`;
  await page.waitForFunction((k) => /knee is tender/.test(window.localStorage.getItem(k) || ''), key);
  await page.fill('#relogin-pass', (await import('./harness.mjs')).PASSWORDS['dr.marsh']);
  await page.click('#relogin-form button[type=submit]');
  await page.locator('#saved', { hasText: /^Saved/ }).waitFor({ timeout: 10_000 });
  const d = await apiGet(`/api/dictations/${id}`);
  assert.match(d.transcript.text, /left knee is tender/);
  await page.locator('#approve:not([hidden])').click();
  await page.locator('#status-chip .s-approved').waitFor();
  await page.close();

  // The secretary sends it and marks it so; the worklist moves it to Sent.
  const sent = (await signedIn('sam')).page;
  await sent.goto(`${srv.url}/dictations/${id}`);
  await sent.locator('#sent:not([hidden])').click();
  await sent.locator('#status-chip .s-sent').waitFor();
  // Announced politely to screen readers.
  await sent.waitForFunction(() => document.getElementById('announce').textContent === 'Marked as sent.');
  assert.equal(await sent.locator('#announce').getAttribute('aria-live'), 'polite');
  await sent.goto(srv.url + '/');
  await sent.click('[data-view="sent"]');
  await sent.locator(`tr[data-id="${id}"]`).waitFor();
  await sent.close();
});

test('admin and account pages; no page broke the CSP or threw', async () => {
  const { page } = await signedIn('ada');
  await page.goto(srv.url + '/admin');
  await page.locator('#audit tr').first().waitFor();
  const audit = await page.locator('#audit').innerText();
  assert.match(audit, /filled from dictation|edit transcript|transcript/);
  await page.fill('#u-name', 'nina');
  await page.fill('#u-full', 'Nina Okafor');
  await page.selectOption('#u-role', 'secretary');
  await page.fill('#u-pass', 'nina-first-password');
  await page.click('#add-user button[type=submit]');
  await page.locator('#users tr', { hasText: 'Nina Okafor' }).waitFor();
  await page.locator('#audit tr', { hasText: 'user add' }).filter({ hasText: 'nina' }).waitFor();
  await screenshot(page, 'admin');
  await page.goto(srv.url + '/account');
  await screenshot(page, 'account');
  await page.close();
  const sam = await signedIn('sam');
  await sam.page.goto(srv.url + '/admin');
  assert.match(await sam.page.locator('main').innerText(), /Not for your role/);
  await sam.page.close();
  const bad = errors.filter((e) => /pageerror|Content Security Policy/.test(e));
  assert.deepEqual(bad, [], cspViolations(errors).join('\n'));
});
