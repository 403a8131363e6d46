// The browser tests' harness: a real `medscribe serve` with a throw-away data directory and
// a department of users, espeak-ng speech, and Debian's headless Chromium driven by
// playwright-core (no downloaded browser). Run through scripts/test-browser.sh.
//
//   const srv = await startServer();
//   const browser = await launch();
//   const page = await browser.newPage();
//   await login(page, srv.url, 'sam');
//   ...
//   await browser.close(); await srv.stop();

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The repository root: paths below are resolved against it, whatever the working directory. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The medscribe binary under test: $MEDSCRIBE_BIN, else the dev build. */
export const BIN = path.resolve(ROOT, process.env.MEDSCRIBE_BIN || 'target/debug/medscribe');

/** Debian's Chromium (scripts/install-deps.sh installs it); $MEDSCRIBE_CHROMIUM overrides. */
export const CHROMIUM = process.env.MEDSCRIBE_CHROMIUM || '/usr/bin/chromium';

/** The department every startServer() creates: user name -> role. */
export const USERS = {
  ada: 'admin',
  sam: 'secretary',
  sue: 'secretary',
  'dr.marsh': 'author',
};

/** Their passwords (test fixtures only). */
export const PASSWORDS = {
  ada: 'ada-password-1',
  sam: 'sam-password-12',
  sue: 'sue-password-12',
  'dr.marsh': 'marsh-password-1',
};

// Servers still running when the test process exits (a test that threw before stop()).
const live = new Set();
process.on('exit', () => {
  for (const s of live) {
    try { s.child.kill('SIGKILL'); } catch {}
    try { fs.rmSync(s.dir, { recursive: true, force: true }); } catch {}
  }
});

function medscribe(args, { input } = {}) {
  try {
    return execFileSync(BIN, args, {
      cwd: ROOT,
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    throw new Error(`medscribe ${args.join(' ')} failed (${e.status ?? e.code}): ${e.stderr || e.message}`);
  }
}

/**
 * Starts `medscribe serve` on a free loopback port with a new data directory holding the
 * USERS department. Returns { url, dir, stop(), stderrText() }; stop() ends the server and
 * removes the directory.
 */
export async function startServer({ workers = 1 } = {}) {
  if (!fs.existsSync(BIN)) {
    throw new Error(`no medscribe binary at ${BIN} (build it, or set MEDSCRIBE_BIN)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medscribe-browser-'));
  try {
    for (const [name, role] of Object.entries(USERS)) {
      medscribe(['users', 'add', name, '--role', role, '--password-stdin', '--data-dir', dir], {
        input: PASSWORDS[name] + '\n',
      });
    }
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const child = spawn(
    BIN,
    ['serve', '--addr', '127.0.0.1:0', '--model', 'tiny.en', '--data-dir', dir, '--workers', String(workers)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const server = { child, dir };
  live.add(server);
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.setEncoding('utf8');

  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }));

  const stop = async () => {
    if (exited === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const t = setTimeout(() => { if (exited === null) child.kill('SIGKILL'); }, 5000);
      await exit;
      clearTimeout(t);
    }
    live.delete(server);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`medscribe serve printed no URL within 60 s; stdout: ${stdout}\nstderr: ${stderr}`)),
        60_000,
      );
      const done = (f, v) => { clearTimeout(timer); f(v); };
      // Keep reading stdout after the URL so the pipe never fills.
      child.stdout.on('data', (d) => {
        stdout += d;
        const line = stdout.split('\n').slice(0, -1).find((l) => /\bhttp:\/\//.test(l)); // whole lines
        const word = line && line.split(/\s+/).find((w) => w.startsWith('http://'));
        if (word) done(resolve, word.replace(/\/$/, ''));
      });
      child.on('error', (e) => done(reject, new Error(`cannot start ${BIN}: ${e.message}`)));
      exit.then(({ code, signal }) => done(reject, new Error(
        `medscribe serve exited (${signal || code}) before printing its URL; stdout: ${stdout}\nstderr: ${stderr}`,
      )));
    });
    return { url, dir, stop, stderrText: () => stderr };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Speaks `text` with espeak-ng into the WAV file `wavPath`; returns the path. */
export function synth(text, wavPath, { speed = 150 } = {}) {
  execFileSync('espeak-ng', ['-s', String(speed), '-w', wavPath, text], { stdio: ['ignore', 'ignore', 'pipe'] });
  return wavPath;
}

/**
 * Headless Chromium with fake (auto-granted) camera and microphone. `fakeAudio`: a WAV file
 * the fake microphone plays (append '%noloop' to play it once), so a page can record it.
 */
export async function launch({ fakeAudio, args = [], ...options } = {}) {
  const flags = [
    '--no-sandbox',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (fakeAudio) flags.push(`--use-file-for-fake-audio-capture=${path.resolve(fakeAudio)}`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...flags, ...args], ...options });
}

/**
 * Signs `user` in through the /login form (password from PASSWORDS unless given) and waits
 * until the browser has left /login; throws, with the status and what the page says, when
 * the sign-in is refused.
 */
export async function login(page, url, user, password = PASSWORDS[user]) {
  await page.goto(url + '/login');
  await page.fill('#username', user);
  await page.fill('#password', password);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
    page.locator('form[action="/login"] [type=submit]').first().click(),
  ]);
  if (res.status() >= 400) {
    await page.waitForLoadState();
    const alert = (await page.locator('[role=alert]').allInnerTexts().catch(() => [])).join(' ');
    const body = alert || (await page.locator('body').innerText().catch(() => '')).slice(0, 300);
    throw new Error(`login as ${user} refused: ${res.status()} ${body}`);
  }
  await page.waitForURL((u) => u.pathname !== '/login', { timeout: 15_000 });
}

/**
 * Saves the viewport as target/screenshots/NAME.png; with UPDATE_SCREENSHOTS=1 also as
 * docs/screenshots/NAME.png. Returns the path under target/.
 */
export async function screenshot(page, name) {
  const out = path.join(ROOT, 'target', 'screenshots', `${name}.png`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: false });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    const doc = path.join(ROOT, 'docs', 'screenshots', `${name}.png`);
    fs.mkdirSync(path.dirname(doc), { recursive: true });
    fs.copyFileSync(out, doc);
  }
  return out;
}

/** A new API bearer token for `user` (`medscribe users token`), for fetch() against /api. */
export function apiToken(dir, user) {
  return medscribe(['users', 'token', user, '--data-dir', dir]).trim();
}

/**
 * Collects what goes wrong in `page`: console errors (CSP violations among them; a failed
 * load is reported with its URL) and uncaught exceptions. Returns the live array of
 * messages; a test asserts it is empty, after filtering out what it expects (e.g. the 401 of
 * a refused sign-in). The browser's own /favicon.ico probe is not counted.
 */
export function pageErrors(page) {
  const errors = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const at = m.location()?.url || '';
    if (/^Failed to load resource/.test(m.text())) {
      if (new URL(at, 'http://x').pathname === '/favicon.ico') return;
      errors.push(`console: ${m.text()}: ${at}`);
    } else {
      errors.push(`console: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** The messages in `errors` that report a Content-Security-Policy violation. */
export function cspViolations(errors) {
  return errors.filter((e) => /Content Security Policy|Content-Security-Policy/i.test(e));
}
