// The sign-in page in a real browser: a wrong password is refused with an alert, the right
// one leads to / with the user's name, the page is served under a strict CSP and nothing on
// it breaks that policy or throws.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, login, pageErrors, cspViolations, screenshot, PASSWORDS } from './harness.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('the login page is served with a Content-Security-Policy allowing only its own scripts', async () => {
  const page = await browser.newPage();
  const errors = pageErrors(page);
  const res = await page.goto(srv.url + '/login');
  assert.equal(res.status(), 200);
  const csp = res.headers()['content-security-policy'];
  assert.ok(csp, 'no Content-Security-Policy header on /login');
  const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src '));
  assert.ok(scriptSrc?.split(/\s+/).includes("'self'"), `script-src 'self' missing: ${csp}`);
  assert.doesNotMatch(scriptSrc, /'unsafe-inline'|'unsafe-eval'/, csp);
  await page.locator('#username').waitFor();
  await screenshot(page, 'login');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a wrong password stays on /login with an alert; the right one leads to / with the name', async () => {
  const page = await browser.newPage();
  const errors = pageErrors(page);

  await page.goto(srv.url + '/login');
  await page.fill('#username', 'sam');
  await page.fill('#password', 'not-the-password');
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
    page.locator('button[type=submit]').click(),
  ]);
  await page.waitForLoadState();
  assert.equal(res.status(), 401, `POST /login with a wrong password: ${await page.locator('body').innerText()}`);
  assert.equal(new URL(page.url()).pathname, '/login');
  const alert = page.locator('[role=alert]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /wrong|password/i);

  await login(page, srv.url, 'sam');
  assert.equal(new URL(page.url()).pathname, '/');
  assert.match(await page.locator('body').innerText(), /\bsam\b/);

  assert.deepEqual(cspViolations(errors), [], 'CSP violations');
  // The refused sign-in's 401 is logged by the browser as a failed load; nothing else may be.
  const unexpected = errors.filter((e) => !/status of 401\b.*\/login$/.test(e));
  assert.deepEqual(unexpected, []);
  await page.close();
});

test('each department user can sign in', async () => {
  for (const user of Object.keys(PASSWORDS)) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = pageErrors(page);
    await login(page, srv.url, user);
    assert.ok((await page.locator('body').innerText()).includes(user), `${user} not named on /`);
    assert.deepEqual(errors, [], user);
    await context.close();
  }
});

// Guards the guard: a page that breaks its CSP must be noticed by pageErrors().
test('a CSP violation is reported by pageErrors', async () => {
  const page = await browser.newPage();
  const errors = pageErrors(page);
  await page.route(srv.url + '/__csp-probe', (route) => route.fulfill({
    status: 200,
    headers: { 'content-type': 'text/html', 'content-security-policy': "script-src 'self'" },
    body: '<!doctype html><p>probe</p><script>document.title = "inline ran"</script>',
  }));
  await page.goto(srv.url + '/__csp-probe');
  await page.waitForTimeout(200);
  assert.notEqual(await page.title(), 'inline ran');
  assert.ok(cspViolations(errors).length > 0, `no CSP violation seen: ${JSON.stringify(errors)}`);
  await page.close();
});

test('signing in from a page returns to that page', async () => {
  const page = await browser.newPage();
  await page.goto(srv.url + '/account');
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/account');
  await page.fill('#username', 'sam');
  await page.fill('#password', PASSWORDS.sam);
  await Promise.all([page.waitForURL('**/account'), page.locator('button[type=submit]').click()]);
  await page.locator('#password-form').waitFor();
  await page.close();
});
