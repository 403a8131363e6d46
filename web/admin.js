// Administration: users and roles, and the audit log (newest first).

import { api, announce, el, me, when, showError } from './common.js';

const $ = (id) => document.getElementById(id);
const ROLE = { admin: 'Administrator', secretary: 'Secretary', author: 'Author' };
let events = [];

async function loadUsers() {
  try {
    const data = await api('GET', '/api/users');
    $('users').replaceChildren(...data.users.map((u) => el('tr', {},
      el('td', {}, u.name),
      el('td', {}, u.full_name || ''),
      el('td', {}, ROLE[u.role] || u.role, u.disabled ? el('span', { class: 'muted' }, ' (disabled)') : null),
      el('td', {}, u.disabled || u.name === me.name ? null
        : el('button', { type: 'button', class: 'small danger', onclick: () => disable(u.name) }, 'Disable')))));
  } catch (e) {
    showError($('user-error'), e);
  }
}

async function disable(name) {
  if (!window.confirm(`Disable ${name}? They are signed out and cannot sign in again.`)) return;
  try {
    await api('POST', `/api/users/${encodeURIComponent(name)}/disable`);
    announce(`${name} disabled.`);
    loadUsers();
    loadAudit();
  } catch (e) {
    showError($('user-error'), e);
  }
}

$('add-user').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    await api('POST', '/api/users', { name: $('u-name').value.trim(), full_name: $('u-full').value.trim(), role: $('u-role').value, password: $('u-pass').value });
    announce(`${$('u-name').value} added.`);
    $('add-user').reset();
    showError($('user-error'), null);
    loadUsers();
    loadAudit();
  } catch (e) {
    showError($('user-error'), e);
  }
});

function drawAudit() {
  const q = $('audit-filter').value.trim().toLowerCase();
  const shown = events.filter((e) => !q || [e.user, e.action, e.detail, e.dictation].filter(Boolean).join(' ').toLowerCase().includes(q));
  $('audit').replaceChildren(...shown.slice(0, 500).map((e) => el('tr', {},
    el('td', { title: when(e.at) }, new Date(e.at).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })),
    el('td', {}, e.user),
    el('td', {}, e.action.replace(/_/g, ' ')),
    el('td', {}, e.detail || ''),
    el('td', {}, e.dictation ? el('a', { href: `/dictations/${encodeURIComponent(e.dictation)}`, title: e.dictation }, e.dictation.slice(0, 8)) : ''))));
}

async function loadAudit() {
  try {
    const data = await api('GET', '/api/audit?limit=1000');
    events = data.events;
    drawAudit();
  } catch (e) {
    showError($('user-error'), e);
  }
}

$('audit-filter').addEventListener('input', drawAudit);
loadUsers();
loadAudit();
