// The worklist: every dictation the user may see, most pressing first, filtered, searched and
// sorted here; refreshed every few seconds so new work appears without a reload. The table is
// an ARIA grid with one tab stop: arrow keys move between rows, Enter opens one.

import { api, announce, el, me, age, clock, statusChip, priorityChip, patientName, showError, STATUS_LABEL } from './common.js';

const REFRESH_MS = 4000;
const VIEWS = {
  todo: (d) => ['queued', 'transcribing', 'review', 'failed'].includes(d.status),
  queried: (d) => d.status === 'queried',
  approved: (d) => d.status === 'approved',
  sent: (d) => d.status === 'sent',
  failed: (d) => d.status === 'failed',
  all: () => true,
};
const PRIORITY_RANK = { stat: 0, urgent: 1, routine: 2 };
const STATUS_RANK = { failed: 0, review: 1, queried: 2, transcribing: 3, queued: 4, approved: 5, sent: 6 };

const state = {
  rows: [],
  seen: null,
  view: me.role === 'author' ? 'all' : 'todo',
  sort: { key: 'priority', dir: 1 },
  focusId: null,
};

const table = document.getElementById('worklist');
const tbody = table.querySelector('tbody');
const search = document.getElementById('search');
const fPriority = document.getElementById('f-priority');
const fAuthor = document.getElementById('f-author');
const fType = document.getElementById('f-type');

function isOverdue(d) {
  return d.due && Date.parse(d.due) < Date.now() && !['approved', 'sent'].includes(d.status);
}

function compare(a, b) {
  const { key, dir } = state.sort;
  const val = (d) => {
    switch (key) {
      case 'priority': return [PRIORITY_RANK[d.priority] ?? 3, isOverdue(d) ? 0 : 1, d.due ? Date.parse(d.due) : Infinity, Date.parse(d.created)];
      case 'status': return [STATUS_RANK[d.status] ?? 9];
      case 'patient': return [patientName(d.patient).toLowerCase()];
      case 'template': return [d.template || ''];
      case 'author': return [d.author.toLowerCase()];
      case 'duration': return [d.duration ?? 0];
      case 'created': return [-Date.parse(d.created)];
      case 'due': return [d.due ? Date.parse(d.due) : Infinity];
      default: return [0];
    }
  };
  const va = val(a);
  const vb = val(b);
  for (let i = 0; i < va.length; i += 1) {
    if (va[i] < vb[i]) return -dir;
    if (va[i] > vb[i]) return dir;
  }
  return a.id < b.id ? -1 : 1;
}

function matches(d) {
  if (!VIEWS[state.view](d)) return false;
  if (fPriority.value && d.priority !== fPriority.value) return false;
  if (fAuthor.value && d.author !== fAuthor.value) return false;
  if (fType.value && d.template !== fType.value) return false;
  const q = search.value.trim().toLowerCase();
  if (!q) return true;
  const p = d.patient || {};
  const hay = [p.name, p.mrn, p.dob, d.title, d.author, d.template, STATUS_LABEL[d.status]].filter(Boolean).join(' ').toLowerCase();
  return q.split(/\s+/).every((w) => hay.includes(w));
}

function row(d, fresh) {
  const p = d.patient || {};
  const overdue = isOverdue(d);
  const tr = el('tr', { 'data-id': d.id, class: fresh ? 'fresh' : null },
    el('td', {}, priorityChip(d.priority), overdue ? el('div', { class: 'overdue sub' }, 'Overdue') : null),
    el('td', {}, statusChip(d.status),
      d.locked_by ? el('div', { class: 'sub' }, d.locked_by === me.name ? 'Open by you' : `Open by ${d.locked_by}`) : null,
      d.status === 'failed' && d.error ? el('div', { class: 'sub' }, d.error.slice(0, 80)) : null),
    el('td', {}, el('div', { class: 'patient' }, el('a', { href: `/dictations/${encodeURIComponent(d.id)}`, tabindex: '-1', class: 'open' }, patientName(p) || d.title || 'No patient yet')),
      el('div', { class: 'sub' }, [p.mrn, p.dob ? `born ${p.dob}` : null].filter(Boolean).join(' · ') || d.title || '')),
    el('td', { class: 'opt' }, (d.template || '').replace(/-/g, ' ') || el('span', { class: 'muted' }, '–')),
    el('td', {}, d.author),
    el('td', { class: 'opt' }, clock(d.duration)),
    el('td', { title: d.created }, age(d.created)),
    el('td', { class: overdue ? 'opt overdue' : 'opt' }, d.due ? new Date(d.due).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : '–'),
  );
  tr.addEventListener('click', (ev) => { if (!ev.target.closest('a')) open(d.id); });
  return tr;
}

function open(id) {
  window.location.href = `/dictations/${encodeURIComponent(id)}`;
}

function render() {
  const shown = state.rows.filter(matches).sort(compare);
  const hadFocus = tbody.contains(document.activeElement);
  const fresh = state.fresh || new Set();
  tbody.replaceChildren(...shown.map((d) => row(d, fresh.has(d.id))));
  table.setAttribute('aria-rowcount', String(shown.length + 1));
  if (!shown.length) {
    tbody.append(el('tr', {}, el('td', { colspan: '8', class: 'empty' }, state.rows.length ? 'Nothing here matches.' : 'No dictations yet. Upload or record one with New dictation.')));
  }
  // One tab stop: the patient link of the focused row; arrow keys move it (keydown below).
  const links = [...tbody.querySelectorAll('tr[data-id] a.open')];
  const target = links.find((a) => a.closest('tr').dataset.id === state.focusId) || links[0];
  if (target) {
    target.tabIndex = 0;
    if (hadFocus) target.focus();
  }
  for (const [view, test] of Object.entries(VIEWS)) {
    const n = state.rows.filter(test).length;
    const c = document.getElementById(`count-${view}`);
    if (c) c.textContent = n ? ` ${n}` : '';
  }
  const waiting = state.rows.filter((d) => d.status === 'queried').length;
  const banner = document.getElementById('author-banner');
  if (me.role === 'author' && waiting) {
    banner.replaceChildren(
      el('strong', {}, waiting === 1 ? '1 dictation has queries waiting for your answer. ' : `${waiting} dictations have queries waiting for your answer. `),
      el('button', { type: 'button', class: 'small', onclick: () => setView('queried') }, 'Show them'));
    banner.hidden = false;
  } else {
    banner.hidden = true;
  }
  const urgent = state.rows.filter((d) => d.priority !== 'routine' && VIEWS.todo(d)).length;
  document.getElementById('summary').textContent = `${state.rows.length} dictations${urgent ? `, ${urgent} urgent to do` : ''}`;
}

function fillFilter(select, values) {
  const have = [...select.options].slice(1).map((o) => o.value).sort().join('\n');
  if (have === [...values].sort().join('\n')) return;
  const current = select.value;
  const first = select.options[0];
  select.replaceChildren(first, ...[...values].sort().map((v) => el('option', { value: v }, v.replace(/-/g, ' '))));
  select.value = values.has(current) ? current : '';
}

let refreshing = false;
let lastJson = '';

async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const data = await api('GET', '/api/dictations', undefined, { background: true });
    const json = JSON.stringify(data.dictations);
    if (json === lastJson) return;
    lastJson = json;
    const rows = data.dictations;
    const ids = new Set(rows.map((d) => d.id));
    state.fresh = new Set();
    if (state.seen) {
      const added = rows.filter((d) => !state.seen.has(d.id));
      for (const d of added) state.fresh.add(d.id);
      const changed = rows.filter((d) => {
        const old = state.rows.find((o) => o.id === d.id);
        return old && old.status !== d.status;
      });
      const parts = [];
      if (added.length) parts.push(added.length === 1 ? '1 new dictation' : `${added.length} new dictations`);
      if (changed.length) parts.push(changed.length === 1 ? '1 dictation changed status' : `${changed.length} dictations changed status`);
      if (parts.length) announce(`${parts.join(', ')}.`);
    }
    state.seen = ids;
    state.rows = rows;
    fillFilter(fAuthor, new Set(rows.map((d) => d.author)));
    fillFilter(fType, new Set(rows.map((d) => d.template).filter(Boolean)));
    showError(document.getElementById('list-error'), null);
    render();
  } catch (e) {
    showError(document.getElementById('list-error'), e);
  } finally {
    refreshing = false;
  }
}

function setView(view) {
  state.view = view;
  for (const b of document.querySelectorAll('[data-view]')) b.setAttribute('aria-pressed', String(b.dataset.view === view));
  render();
}

for (const b of document.querySelectorAll('[data-view]')) b.addEventListener('click', () => setView(b.dataset.view));
for (const input of [search, fPriority, fAuthor, fType]) input.addEventListener('input', render);

for (const th of table.querySelectorAll('th[data-sort]')) {
  th.querySelector('button').addEventListener('click', () => {
    const key = th.dataset.sort;
    state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
    for (const h of table.querySelectorAll('th[data-sort]')) h.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', state.sort.dir === 1 ? 'ascending' : 'descending');
    render();
  });
}

tbody.addEventListener('focusin', (ev) => {
  const tr = ev.target.closest('tr[data-id]');
  if (!tr) return;
  state.focusId = tr.dataset.id;
  for (const a of tbody.querySelectorAll('a.open')) a.tabIndex = a.closest('tr') === tr ? 0 : -1;
});

tbody.addEventListener('keydown', (ev) => {
  const tr = ev.target.closest('tr[data-id]');
  if (!tr) return;
  const rows = [...tbody.querySelectorAll('tr[data-id]')];
  const i = rows.indexOf(tr);
  const go = (j) => { const r = rows[Math.max(0, Math.min(rows.length - 1, j))]; if (r) { r.querySelector('a.open').focus(); ev.preventDefault(); } };
  switch (ev.key) {
    case 'ArrowDown': go(i + 1); break;
    case 'ArrowUp': go(i - 1); break;
    case 'Home': go(0); break;
    case 'End': go(rows.length - 1); break;
    case 'PageDown': go(i + 10); break;
    case 'PageUp': go(i - 10); break;
    case ' ': ev.preventDefault(); open(tr.dataset.id); break;
    default: break;
  }
});

setView(state.view);
refresh();
window.setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
