// What every page shares: the JSON API with the session cookie (and a sign-in dialog when
// the session has ended, so no work is lost), polite announcements, and small DOM and
// formatting helpers. Text from the server is only ever put into the page as text nodes.

export const me = { name: document.body.dataset.user, role: document.body.dataset.role };

/** Announces a status change to screen readers, politely. */
export function announce(message) {
  const live = document.getElementById('announce');
  if (!live) return;
  live.textContent = '';
  window.setTimeout(() => { live.textContent = message; }, 50);
}

/** Builds an element: el('button', {class: 'x', onclick: f}, 'text', child...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (v === true) node.setAttribute(k, '');
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Where the review page keeps a user's unsaved transcript typing for a dictation. */
export const DRAFT_PREFIX = `medscribe-draft-${me.name}-`;
export const draftKey = (id) => `${DRAFT_PREFIX}${id}`;

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

let relogin = null;

/** Shows the sign-in dialog; resolves once the user is signed in again. */
function signInAgain() {
  if (relogin) return relogin;
  const dialog = document.getElementById('relogin');
  if (!dialog) {
    window.location.href = '/login';
    return new Promise(() => {});
  }
  relogin = new Promise((resolve) => {
    const form = document.getElementById('relogin-form');
    const error = document.getElementById('relogin-error');
    // The same user signs in again: the page's work is theirs, and is saved as theirs.
    const user = document.getElementById('relogin-user');
    user.value = me.name || '';
    user.readOnly = true;
    const submit = async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      try {
        const body = new URLSearchParams(new FormData(form));
        const r = await fetch('/login', { method: 'POST', body, credentials: 'same-origin' });
        const check = await fetch('/api/me', { credentials: 'same-origin' });
        const who = check.ok ? await check.json() : null;
        if (r.ok && who && who.name === me.name) {
          form.removeEventListener('submit', submit);
          document.getElementById('relogin-pass').value = '';
          dialog.close();
          relogin = null;
          announce('Signed in again. Carrying on.');
          resolve();
          return;
        }
        if (who && who.name !== me.name) {
          // Someone else signed in in this browser: start again as them (drafts are kept).
          window.location.reload();
          return;
        }
        error.textContent = r.status === 429
          ? 'Too many attempts: wait a few minutes, then try again.'
          : 'Wrong password.';
      } catch (e) {
        error.textContent = 'The server cannot be reached; try again in a moment.';
      }
      error.hidden = false;
    };
    form.addEventListener('submit', submit);
    dialog.addEventListener('cancel', (ev) => ev.preventDefault());
    dialog.showModal();
    document.getElementById('relogin-pass').focus();
  });
  return relogin;
}

/** Calls the JSON API. A 401 (the session ended) asks the user to sign in and retries.
 * `background`: the page asks by itself (polling); it does not keep the session awake. */
export async function api(method, path, body, { background = false } = {}) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (background) init.headers['X-Medscribe-Background'] = '1';
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  for (;;) {
    let r;
    try {
      r = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'The server cannot be reached. Your work is kept here; try again in a moment.');
    }
    if (r.status === 401) {
      await signInAgain();
      continue;
    }
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!r.ok) {
      const message = (data && data.error) || `The server answered ${r.status}.`;
      throw new ApiError(r.status, message, data);
    }
    return data;
  }
}

/** Minutes and seconds: 83.4 → "1:23". */
export function clock(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** How long ago: "4 min", "3 h", "2 d". */
export function age(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const min = Math.max(0, Math.round((now - t) / 60000));
  if (min < 60) return `${min} min`;
  if (min < 48 * 60) return `${Math.round(min / 60)} h`;
  return `${Math.round(min / 1440)} d`;
}

export function when(iso) {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  return t.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const STATUS_LABEL = {
  queued: 'Waiting', transcribing: 'Transcribing', review: 'To review', queried: 'With author',
  approved: 'Approved', sent: 'Sent', failed: 'Failed',
};

export function statusChip(status) {
  return el('span', { class: `chip s-${status}` }, STATUS_LABEL[status] || status);
}

export function priorityChip(priority) {
  const label = { stat: 'STAT', urgent: 'Urgent', routine: 'Routine' }[priority] || priority;
  return el('span', { class: `chip p-${priority}` }, label);
}

export function patientName(p) {
  if (!p || typeof p !== 'object') return '';
  return p.name || '';
}

/** Shows an error message in `box` (an element with role=alert), or hides it. */
export function showError(box, e) {
  if (!box) return;
  if (!e) { box.hidden = true; box.textContent = ''; return; }
  box.textContent = e.message || String(e);
  box.hidden = false;
}

// Signing out leaves no transcript drafts of this user's in the browser (asking first when
// one holds typing the server does not have).
const signOut = document.querySelector('form[action="/logout"]');
if (signOut) {
  signOut.addEventListener('submit', (ev) => {
    const mine = [];
    try {
      for (let i = 0; i < window.localStorage.length; i += 1) {
        const key = window.localStorage.key(i);
        if (key && key.startsWith(DRAFT_PREFIX)) mine.push(key);
      }
    } catch (e) {
      return;
    }
    if (mine.length && !window.confirm('Typing on this computer has not reached the server yet. Sign out and discard it?')) {
      ev.preventDefault();
      return;
    }
    for (const key of mine) window.localStorage.removeItem(key);
  });
}

// Marks the current page in the navigation.
for (const a of document.querySelectorAll('.top nav a')) {
  if (a.getAttribute('href') === window.location.pathname) a.setAttribute('aria-current', 'page');
}
