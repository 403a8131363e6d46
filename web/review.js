// The review page: the audio with the transcript it synced to, the editable transcript (saved
// as you type, kept in this browser until the server has it), the queries panel, the letter's
// details, a live preview of the letter, DOCX download and sign-off.

import { api, announce, el, me, clock, when, statusChip, priorityChip, patientName, showError, draftKey, DRAFT_PREFIX } from './common.js';
import { Player } from './player.js';
import { installKeys, installPedal, settings } from './keys.js';

const $ = (id) => document.getElementById(id);
const id = decodeURIComponent(window.location.pathname.split('/').pop());
const DRAFT = draftKey(id);
/** Drafts older than this are dropped when any review page opens. */
const DRAFT_DAYS = 2;
const SAVE_AFTER_MS = 1200;
const POLL_MS = 3000;
/** Words in a paragraph piece before it may end at a sentence (see drawTranscript). */
const PIECE_WORDS = 150;

const KIND = {
  low_confidence: 'Unclear audio', unknown_term: 'Unknown term', sound_alike: 'Sounds like another word',
  dose_range: 'Dose', abbreviation: 'Abbreviation', laterality: 'Left or right', inconsistency: 'Does not add up',
  artifact: 'Recording artefact', missing_field: 'Missing detail', unclear_field: 'Unclear detail',
  patient_mismatch: 'Wrong patient?', misheard: 'May be misheard',
};

const page = {
  d: null,
  t: null,
  readOnly: false,
  dirty: false,
  saving: null,
  saveTimer: null,
  edits: 0,
};

const transcriptBox = $('transcript');
const audio = $('player');
const player = new Player(audio, { onTick: tick, rewind: () => settings().rewind });

function tick() {
  $('time').textContent = `${clock(audio.currentTime)} / ${clock(audio.duration || page.d?.duration)}`;
  const total = audio.duration || page.d?.duration || 0;
  if (total && document.activeElement !== $('seek')) $('seek').value = String(Math.round((audio.currentTime / total) * 1000));
  $('play').textContent = audio.paused ? 'Play' : 'Pause';
}

// ---- loading ----

async function load() {
  try {
    const d = await api('GET', `/api/dictations/${encodeURIComponent(id)}`);
    page.d = d;
    drawHead();
    drawFields();
    if (d.transcript && (!page.t || !page.dirty)) {
      page.t = d.transcript;
      drawTranscript();
      drawQueries();
      offerDraft();
      refreshLetter();
    }
    if (!audio.src) audio.src = `/api/dictations/${encodeURIComponent(id)}/audio`;
    if (['queued', 'transcribing'].includes(d.status)) window.setTimeout(waitForTranscript, POLL_MS);
  } catch (e) {
    showError($('page-error'), e);
  }
}

/** The dictation's row in the worklist (reading it is neither audited nor takes the lock). */
async function row() {
  const list = await api('GET', '/api/dictations', undefined, { background: true });
  return list.dictations.find((x) => x.id === id);
}

/** While it is transcribed: polls the worklist row, and loads the page when it is done. */
async function waitForTranscript() {
  try {
    const r = await row();
    if (r && ['queued', 'transcribing'].includes(r.status)) {
      if (r.status !== page.d.status) { page.d.status = r.status; drawHead(); }
      window.setTimeout(waitForTranscript, POLL_MS);
      return;
    }
  } catch (e) {
    window.setTimeout(waitForTranscript, POLL_MS * 2);
    return;
  }
  load();
}

/** Picks up a status the server changed by itself (an edit can end the author's queries). */
async function refreshStatus() {
  const r = await row();
  if (r && r.status !== page.d.status) {
    page.d.status = r.status;
    drawHead();
  }
}

function drawHead() {
  const d = page.d;
  const p = d.patient || {};
  const name = patientName(p) || d.title || 'Untitled dictation';
  $('title').textContent = name;
  // Not the patient's name: titles end up in history, task bars and shared screens.
  document.title = `Review ${id.slice(0, 6)} · medscribe`;
  $('status-chip').replaceChildren(statusChip(d.status));
  $('priority-chip').replaceChildren(priorityChip(d.priority));
  $('head-meta').textContent = [d.author && `by ${d.author}`, d.duration && clock(d.duration), d.created && when(d.created), d.template && d.template.replace(/-/g, ' ')].filter(Boolean).join(' · ');
  const other = d.locked_by && d.locked_by !== me.name && me.role === 'secretary';
  page.readOnly = other || !['review', 'queried'].includes(d.status);
  const lock = $('lockbar');
  if (other) {
    lock.textContent = `${d.locked_by} is working on this dictation. You can read and listen; changes are hers until she closes it or is idle for a while.`;
    lock.hidden = false;
  } else {
    lock.hidden = true;
  }
  const editable = !page.readOnly && d.transcript;
  transcriptBox.contentEditable = editable ? 'plaintext-only' : 'false';
  // Read-only, it can still be focused and its words selected (to play from the cursor).
  transcriptBox.tabIndex = 0;
  transcriptBox.setAttribute('aria-readonly', String(!editable));
  const waiting = $('waiting');
  waiting.replaceChildren();
  if (d.status === 'failed') {
    waiting.append(el('p', {}, el('strong', {}, 'Transcription failed. '), d.error || 'No reason was recorded.'),
      el('p', {}, el('button', { type: 'button', class: 'primary', onclick: () => setStatus('queued') }, 'Transcribe again')));
    waiting.hidden = false;
  } else if (['queued', 'transcribing'].includes(d.status)) {
    waiting.append(el('p', {}, d.status === 'queued' ? 'Waiting for a transcriber. ' : 'Transcribing now. ', 'You can listen already; the transcript appears here by itself.'));
    waiting.hidden = false;
  } else {
    waiting.hidden = true;
  }
  const author = me.role === 'author' || me.role === 'admin';
  $('approve').hidden = !(author && ['review', 'queried'].includes(d.status));
  $('to-review').hidden = d.status !== 'approved';
  $('sent').hidden = !(d.status === 'approved' && me.role !== 'author');
  $('docx').href = `/api/dictations/${encodeURIComponent(id)}/letter?format=docx${d.status === 'approved' || d.status === 'sent' ? '&final=true' : ''}`;
  $('docx').hidden = !d.transcript;
  for (const input of document.querySelectorAll('#fields input, #fields select, #fields textarea, #fields button')) {
    input.disabled = other || ['approved', 'sent'].includes(d.status);
  }
}

// ---- transcript ----

/** Audio times for every word: words an edit changed (no time) take their neighbours'. */
function wordTimes(timed) {
  const times = timed.map((w) => (w[2] === null ? null : [w[2], w[3], false]));
  let last = null;
  const before = times.map((x) => { if (x) last = x; return last; });
  let next = null;
  const after = new Array(times.length);
  for (let i = times.length - 1; i >= 0; i -= 1) { if (times[i]) next = times[i]; after[i] = next; }
  return times.map((x, i) => {
    if (x) return x;
    const from = before[i] ? before[i][1] : (after[i] ? after[i][0] : 0);
    const to = after[i] ? after[i][0] : from;
    return [from, Math.max(from, to), true];
  });
}

/** Where a paragraph piece may end: after a line break, or after a sentence once the piece
 * is long. */
function breakAfter(between, words) {
  if (between.includes('\n')) return between.lastIndexOf('\n') + 1;
  if (words >= PIECE_WORDS && /[.?!]["')\]]?\s+$/.test(between)) return between.length;
  return -1;
}

/** Draws the text with one element per word (data-start/data-end in seconds), in block
 * pieces at line breaks and, in a long paragraph, at a sentence end every few hundred
 * words: the browser lays out one piece per keystroke instead of the whole transcript
 * (one 20,000-word paragraph took seconds a key). The text itself is unchanged. */
function drawTranscript() {
  const t = page.t;
  const chars = Array.from(t.text);
  const timed = t.timed || [];
  const times = wordTimes(timed);
  const pending = (t.findings || []).filter((f) => (f.state === 'open' || f.state === 'asked') && f.end > f.start)
    .sort((x, y) => x.start - y.start);
  const frag = document.createDocumentFragment();
  let piece = el('span', { class: 'piece' });
  let inPiece = 0;
  const words = [];
  let at = 0;
  let q = 0;
  // Text between words goes into the current piece, which ends after a line break (each
  // further "\n" of a blank line is a piece of its own) or, when long, a sentence.
  const text = (from, to) => {
    let rest = chars.slice(from, to).join('');
    for (let cut = breakAfter(rest, inPiece); cut >= 0; cut = breakAfter(rest, inPiece)) {
      const head = rest.includes('\n') ? rest.indexOf('\n') + 1 : cut;
      piece.append(rest.slice(0, head));
      frag.append(piece);
      piece = el('span', { class: 'piece' });
      inPiece = 0;
      rest = rest.slice(head);
      if (!rest) break;
    }
    if (rest) piece.append(rest);
  };
  timed.forEach((w, i) => {
    if (w[0] > at) text(at, w[0]);
    const span = document.createElement('span');
    span.className = times[i][2] ? 'w est' : 'w';
    span.dataset.start = times[i][0].toFixed(2);
    span.dataset.end = times[i][1].toFixed(2);
    while (q < pending.length && pending[q].end <= w[0]) q += 1;
    for (let j = q; j < pending.length && pending[j].start < w[1]; j += 1) {
      if (pending[j].end > w[0]) { span.classList.add('q'); span.dataset.q = pending[j].id; break; }
    }
    span.textContent = chars.slice(w[0], w[1]).join('');
    piece.append(span);
    inPiece += 1;
    words.push(span);
    at = w[1];
  });
  if (at < chars.length) text(at, chars.length);
  frag.append(piece);
  transcriptBox.replaceChildren(frag);
  player.setWords(words);
}

/** The caret's offset in characters from the start of the transcript, or null. */
function caretOffset() {
  const sel = window.getSelection();
  if (!sel.rangeCount || !transcriptBox.contains(sel.anchorNode)) return null;
  const r = document.createRange();
  r.selectNodeContents(transcriptBox);
  r.setEnd(sel.anchorNode, sel.anchorOffset);
  return r.toString().length;
}

function placeCaret(offset) {
  const walker = document.createTreeWalker(transcriptBox, NodeFilter.SHOW_TEXT);
  let left = offset;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (left <= n.length) {
      window.getSelection().collapse(n, left);
      return;
    }
    left -= n.length;
  }
}

/** Selects the text of a char span (Unicode scalar offsets, as the server counts). */
function selectChars(start, end) {
  const text = transcriptBox.textContent;
  const cps = Array.from(text);
  const u16 = (n) => cps.slice(0, n).join('').length;
  const a = u16(start);
  const b = u16(end);
  const walker = document.createTreeWalker(transcriptBox, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let pos = 0;
  let started = false;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!started && a <= pos + n.length) { range.setStart(n, a - pos); started = true; }
    if (started && b <= pos + n.length) { range.setEnd(n, b - pos); break; }
    pos += n.length;
  }
  if (!started) return;
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  const box = range.getBoundingClientRect();
  const outer = transcriptBox.getBoundingClientRect();
  if (box.top < outer.top || box.bottom > outer.bottom) transcriptBox.scrollTop += box.top - outer.top - outer.height / 3;
}

function setSaved(text) {
  $('saved').textContent = text;
}

let draftTimer = null;

/** Keeps the typed text in this browser until the server has it (a failing disk or a full
 * store only loses this safety net, never the save itself). */
function keepDraft() {
  window.clearTimeout(draftTimer);
  draftTimer = window.setTimeout(() => {
    try {
      window.localStorage.setItem(DRAFT, JSON.stringify({ text: transcriptBox.textContent, base: page.t.revision, at: new Date().toISOString() }));
    } catch (e) {
      setSaved('Not saved yet (this browser could not keep a copy)');
    }
  }, 300);
}

function dropDraft() {
  window.clearTimeout(draftTimer);
  try { window.localStorage.removeItem(DRAFT); } catch (e) { /* nothing kept */ }
}

/** Removes other drafts of this user's older than DRAFT_DAYS. */
function pruneDrafts() {
  try {
    for (let i = window.localStorage.length - 1; i >= 0; i -= 1) {
      const key = window.localStorage.key(i);
      if (!key || !key.startsWith('medscribe-draft-') || key === DRAFT) continue;
      const d = JSON.parse(window.localStorage.getItem(key) || 'null');
      const old = !d || Date.now() - Date.parse(d.at) > DRAFT_DAYS * 86400000;
      if (old || !key.startsWith(DRAFT_PREFIX)) window.localStorage.removeItem(key);
    }
  } catch (e) {
    // Storage unavailable: there is nothing to prune.
  }
}

transcriptBox.addEventListener('input', () => {
  if (page.readOnly) return;
  page.dirty = true;
  page.edits += 1;
  window.clearTimeout(page.saveTimer);
  page.saveTimer = window.setTimeout(saveTranscript, SAVE_AFTER_MS);
  if ($('saved').textContent !== 'Not saved yet…') setSaved('Not saved yet…');
  keepDraft();
});

/** Sends the edited text; the re-checked transcript comes back with its timings. Resolves
 * true when the server has everything typed so far. */
async function saveTranscript() {
  window.clearTimeout(page.saveTimer);
  while (page.saving) await page.saving;
  if (!page.dirty) return true;
  const text = transcriptBox.textContent;
  const edits = page.edits;
  setSaved('Saving…');
  let ok = false;
  page.saving = (async () => {
    try {
      const t = await api('PUT', `/api/dictations/${encodeURIComponent(id)}/transcript`, { text, base: page.t.revision });
      page.t = t;
      ok = true;
      if (page.edits === edits) {
        page.dirty = false;
        dropDraft();
        redrawTranscript();
      }
      drawQueries();
      refreshLetter();
      setSaved(`Saved ${new Date().toLocaleTimeString(undefined, { timeStyle: 'short' })}`);
      showError($('page-error'), null);
    } catch (e) {
      setSaved('Not saved: kept in this browser');
      showError($('page-error'), e);
      // Someone else saved, or took the dictation over: show who (typing stays on screen).
      if (e.status === 409) await load();
    } finally {
      page.saving = null;
    }
  })();
  await page.saving;
  if (ok) refreshStatus().catch(() => {});
  return ok && !page.dirty;
}

/** Draws the transcript again from the server's copy, keeping the caret, unless the user has
 * typed since (then the next save brings it). */
function redrawTranscript() {
  if (page.dirty) return;
  // While she types, the text on screen is already what the server has: the new timings
  // and query marks wait until she leaves the transcript, so Ctrl+Z keeps working.
  if (document.activeElement === transcriptBox && transcriptBox.textContent === page.t.text) {
    page.redrawLater = true;
    return;
  }
  page.redrawLater = false;
  const focused = document.activeElement === transcriptBox;
  const caret = focused ? caretOffset() : null;
  drawTranscript();
  if (caret !== null) placeCaret(caret);
}

transcriptBox.addEventListener('focusout', () => {
  if (page.redrawLater && !page.dirty) redrawTranscript();
});

function offerDraft() {
  let draft = null;
  try { draft = JSON.parse(window.localStorage.getItem(DRAFT) || 'null'); } catch (e) { draft = null; }
  if (!draft || draft.text === page.t.text) {
    if (draft) dropDraft();
    $('draft-notice').hidden = true;
    return;
  }
  if (page.readOnly) {
    $('draft-notice').hidden = true;
    return;
  }
  const moved = draft.base !== page.t.revision;
  $('draft-when').textContent = when(draft.at) + (moved
    ? '; the transcript has been changed on the server since, and restoring puts your copy in place of those changes'
    : '');
  $('draft-notice').hidden = false;
  $('draft-restore').onclick = () => {
    transcriptBox.textContent = draft.text;
    page.dirty = true;
    page.edits += 1;
    $('draft-notice').hidden = true;
    saveTranscript();
  };
  $('draft-discard').onclick = () => {
    dropDraft();
    $('draft-notice').hidden = true;
  };
}

// A click on a word plays from it (not while selecting text to change it).
transcriptBox.addEventListener('click', (ev) => {
  const w = ev.target.closest('.w');
  if (!w || !window.getSelection().isCollapsed) return;
  if (ev.detail > 1) return;
  player.seek(Number(w.dataset.start), !ev.altKey);
});

// ---- queries ----

function drawQueries() {
  const list = $('queries');
  const findings = page.t.findings || [];
  const order = { asked: 0, open: 1, resolved: 2, dismissed: 3 };
  const sorted = [...findings].sort((a, b) => (order[a.state] - order[b.state]) || (a.start - b.start));
  const pending = findings.filter((f) => f.state === 'open' || f.state === 'asked').length;
  $('q-count').textContent = findings.length ? `${pending} to do of ${findings.length}` : '';
  if (!findings.length) {
    list.replaceChildren(el('li', { class: 'resolved' }, 'Nothing to query in this dictation.'));
    return;
  }
  // Keep what is being typed in the panel (and where) across a redraw.
  const typed = new Map([...list.querySelectorAll('input[id], textarea[id]')].map((i) => [i.id, i.value]));
  const focused = list.contains(document.activeElement) ? document.activeElement.id : null;
  list.replaceChildren(...sorted.map(query));
  for (const [inputId, value] of typed) {
    const input = document.getElementById(inputId);
    if (input && list.contains(input)) input.value = value;
  }
  if (focused) document.getElementById(focused)?.focus();
}

/** A query's words, shortened for the panel (the transcript shows them whole). */
function short(text) {
  const cps = Array.from(text);
  return cps.length > 120 ? `${cps.slice(0, 80).join('')} … ${cps.slice(-30).join('')}` : text;
}

function query(f) {
  const time = f.time ? el('button', { type: 'button', class: 'small', title: 'Play this part', onclick: () => jump(f) }, `▶ ${clock(f.time[0])}`) : null;
  const li = el('li', { 'data-finding': f.id, class: `${f.state} ${f.severity === 'high' ? 'high' : ''}` },
    el('div', { class: 'row spread' },
      el('span', { class: 'kind' }, KIND[f.kind] || f.kind.replace(/_/g, ' '), f.field ? ` · ${f.field}` : ''), time),
    f.text ? el('div', {}, el('button', { type: 'button', class: 'link said', onclick: () => jump(f), title: 'Show in the transcript' }, `“${short(f.text)}”`)) : null,
    el('div', {}, f.message));
  if (f.answer) li.append(el('div', { class: 'answer' }, el('strong', {}, 'Author: '), f.answer));
  if (f.state === 'asked') {
    li.append(el('div', { class: 'muted' }, 'Sent to the author', f.note ? `: ${f.note}` : '.'));
    if (me.role !== 'secretary' && !page.readOnly) li.append(answerForm(f));
    // An answer by telephone: the secretary may still settle it herself.
    else if (!page.readOnly) li.append(decideForm(f, false));
  } else if (f.state === 'resolved' || f.state === 'dismissed') {
    li.append(el('div', { class: 'muted' }, f.state === 'resolved' ? 'Resolved' : 'Dismissed', f.note ? `: ${f.note}` : ''));
  } else if (!page.readOnly) {
    li.append(decideForm(f));
  }
  return li;
}

function decideForm(f, canAsk = true) {
  const fixId = `fix-${f.id}`;
  const noteId = `note-${f.id}`;
  const canFix = f.end > f.start;
  const fix = canFix ? el('input', { id: fixId, value: (f.suggestions && f.suggestions[0]) || f.text, 'aria-label': 'Corrected text' }) : null;
  const note = el('input', { id: noteId, placeholder: 'Reason or question for the author', 'aria-label': 'Reason or question' });
  const err = el('p', { class: 'error', role: 'alert', hidden: true });
  const wrap = el('div', { class: 'decide' });
  if (canFix) {
    wrap.append(el('label', { for: fixId }, 'Corrected text'), fix);
    if (f.suggestions && f.suggestions.length > 1) {
      wrap.append(el('div', { class: 'actions' }, ...f.suggestions.slice(0, 4).map((s) => el('button', { type: 'button', class: 'small', onclick: () => { fix.value = s; fix.focus(); } }, s))));
    }
  }
  wrap.append(el('label', { for: noteId }, 'Note'), note,
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'small primary', onclick: () => resolve(f, fix ? fix.value : null, note.value, err) }, 'Resolve'),
      el('button', { type: 'button', class: 'small', onclick: () => decide(f, 'dismiss', note.value, err, 'Say why it can be dismissed, in the note.') }, 'Dismiss'),
      me.role !== 'author' && canAsk ? el('button', { type: 'button', class: 'small', onclick: () => decide(f, 'ask', note.value, err, 'Write the question for the author, in the note.') }, 'Ask the author') : null),
    err);
  return wrap;
}

function answerForm(f) {
  const answerId = `answer-${f.id}`;
  const input = el('textarea', { id: answerId, rows: '2' });
  const err = el('p', { class: 'error', role: 'alert', hidden: true });
  return el('div', { class: 'decide' }, el('label', { for: answerId }, 'Your answer'), input,
    el('div', { class: 'actions' }, el('button', { type: 'button', class: 'small primary', onclick: () => decide(f, 'answer', input.value, err, 'Write your answer first.') }, 'Send answer')), err);
}

async function decide(f, action, note, err, needNote) {
  if (!note.trim()) {
    showError(err, new Error(needNote));
    return false;
  }
  try {
    if (!(await saveTranscript())) throw new Error('Your last changes to the transcript are not saved yet; nothing was decided. Try again in a moment.');
    const d = await api('POST', `/api/dictations/${encodeURIComponent(id)}/findings/${encodeURIComponent(f.id)}`, { action, note: note.trim() });
    const next = nextOpenAfter(f.id);
    page.d = d;
    page.t = d.transcript;
    drawHead();
    redrawTranscript();
    drawQueries();
    refreshLetter();
    focusQuery(next);
    announce({ dismiss: 'Query dismissed.', ask: 'Query sent to the author.', answer: 'Answer sent.', resolve: 'Query resolved.' }[action]);
    return true;
  } catch (e) {
    showError(err, e);
    return false;
  }
}

/** The id of the query listed after `fid` that still needs attention (for focus). */
function nextOpenAfter(fid) {
  const items = [...document.querySelectorAll('#queries li[data-finding]')];
  const i = items.findIndex((li) => li.dataset.finding === fid);
  const later = items.slice(i + 1).concat(items.slice(0, Math.max(0, i)));
  const open = later.find((li) => li.querySelector('button'));
  return open ? open.dataset.finding : null;
}

/** After a decision the list is redrawn: focus goes to the next query's first control. */
function focusQuery(fid) {
  const li = fid && document.querySelector(`#queries li[data-finding="${fid}"]`);
  const target = (li && li.querySelector('input, textarea, button')) || $('queries-title');
  target.focus();
}

/** Resolves a query; when the corrected text differs, the transcript is corrected too. */
async function resolve(f, fixed, note, err) {
  const change = fixed !== null && fixed.trim() !== '' && fixed !== f.text;
  const why = note.trim() || (change ? `corrected to “${fixed.trim()}”` : 'checked: correct as dictated');
  if (!(await saveTranscript())) {
    showError(err, new Error('Your last changes to the transcript are not saved yet; try again in a moment.'));
    return;
  }
  const current = (page.t.findings || []).find((x) => x.id === f.id) || f;
  const base = page.t.text;
  if (!(await decide(current, 'resolve', why, err, ''))) return;
  if (!change || page.dirty) return;
  const cps = Array.from(base);
  transcriptBox.textContent = cps.slice(0, current.start).join('') + fixed.trim() + cps.slice(current.end).join('');
  page.dirty = true;
  page.edits += 1;
  keepDraft();
  await saveTranscript();
}

function jump(f) {
  if (f.end > f.start) selectChars(f.start, f.end);
  for (const s of transcriptBox.querySelectorAll('.q.focus')) s.classList.remove('focus');
  for (const s of transcriptBox.querySelectorAll(`[data-q="${f.id}"]`)) s.classList.add('focus');
  if (f.time) player.seek(Math.max(0, f.time[0] - 0.5));
}

/** Plays from the word at the caret (or the selection's first word): the keyboard's click. */
function playHere() {
  const sel = window.getSelection();
  if (!sel.rangeCount || !transcriptBox.contains(sel.anchorNode)) { announce('Put the cursor in the transcript first.'); return; }
  const node = sel.getRangeAt(0).startContainer;
  const at = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node).closest('.w');
  let word = at;
  if (!word) {
    // Between words: the next word after the caret.
    const words = [...transcriptBox.querySelectorAll('.w')];
    word = words.find((w) => sel.getRangeAt(0).comparePoint(w, 0) >= 0) || words[words.length - 1];
  }
  if (word) player.seek(Number(word.dataset.start));
}

function nextQuery() {
  const open = (page.t?.findings || []).filter((f) => f.state === 'open' || f.state === 'asked').sort((a, b) => a.start - b.start);
  if (!open.length) { announce('No queries left.'); return; }
  const now = audio.currentTime;
  const next = open.find((f) => f.time && f.time[0] > now + 0.6) || open[0];
  jump(next);
  const li = document.querySelector(`[data-finding="${next.id}"]`);
  if (li) li.scrollIntoView({ block: 'nearest' });
  announce(`${KIND[next.kind] || next.kind}: ${next.message}`);
}

// ---- details, letter and status ----

function drawFields() {
  const d = page.d;
  for (const input of document.querySelectorAll('#fields [data-group]')) {
    if (document.activeElement === input) continue;
    const group = d[input.dataset.group] || {};
    input.value = group[input.dataset.key] || '';
  }
  if (document.activeElement !== $('f-template')) $('f-template').value = d.template || '';
  if (document.activeElement !== $('f-priority')) $('f-priority').value = d.priority;
}

$('fields').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = { patient: { ...(page.d.patient || {}) }, recipient: { ...(page.d.recipient || {}) }, template: $('f-template').value, priority: $('f-priority').value };
  for (const input of document.querySelectorAll('#fields [data-group]')) {
    const v = input.value.trim();
    if (v) body[input.dataset.group][input.dataset.key] = v;
    else delete body[input.dataset.group][input.dataset.key];
  }
  // Other letter fields (clinic, author's role...) the letter said it was missing.
  const extra = { ...(page.d.fields || {}) };
  for (const input of document.querySelectorAll('#missing-fields [data-field]')) {
    if (input.value.trim()) extra[input.dataset.field] = input.value.trim();
  }
  body.fields = extra;
  try {
    const d = await api('PATCH', `/api/dictations/${encodeURIComponent(id)}`, body);
    if (d && d.id) page.d = d; else page.d = await api('GET', `/api/dictations/${encodeURIComponent(id)}`);
    if (page.d.transcript && !page.dirty) { page.t = page.d.transcript; drawTranscript(); drawQueries(); }
    drawHead();
    drawFields();
    refreshLetter();
    showError($('fields-error'), null);
    $('fields-saved').textContent = 'Saved';
    announce('Letter details saved.');
  } catch (e) {
    showError($('fields-error'), e);
  }
});

let templates = [];

/** Inline Markdown of the letter (bold, italic, ==queried== text, escapes) as elements. */
function inline(text, parent) {
  const stack = [parent];
  const top = () => stack[stack.length - 1];
  const toggle = (tag) => {
    if (top().tagName === tag.toUpperCase() && stack.length > 1) stack.pop();
    else { const n = el(tag); top().append(n); stack.push(n); }
  };
  for (const tok of text.split(/(\*\*|==|\[\^[^\]]+\]|\\.|\*)/)) {
    if (!tok) continue;
    if (tok === '**') toggle('strong');
    else if (tok === '==') toggle('mark');
    else if (tok === '*') toggle('em');
    else if (tok.startsWith('[^')) continue;
    else if (tok.length === 2 && tok[0] === '\\') top().append(tok[1]);
    else top().append(tok);
  }
}

/** The letter preview from its Markdown: headings, paragraphs, line breaks; query notes
 * (footnotes) are left out, the queries panel has them. Text only, never HTML. */
function drawLetter(md) {
  const out = document.createDocumentFragment();
  const blocks = md.split(/\n\s*\n/);
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => !/^\[\^[^\]]+\]:/.test(l));
    if (!lines.length) continue;
    if (/^---+\s*$/.test(lines[0])) { out.append(el('hr')); continue; }
    const h = lines[0].match(/^(#{1,3})\s+(.*)$/);
    if (h) { const n = el(`h${h[1].length + 2}`); inline(h[2], n); out.append(n); continue; }
    const p = el('p');
    lines.forEach((l, i) => {
      inline(l.replace(/\s+$/, ''), p);
      if (i < lines.length - 1) p.append(/ {2}$/.test(l) ? el('br') : ' ');
    });
    out.append(p);
  }
  $('letter').replaceChildren(out);
}

/** Inputs for the fields the letter marks `[missing: name]` (patient and recipient fields
 * are in their own boxes above; the rest are the template's other fields). */
function drawMissing(letter) {
  const names = [...new Set([...letter.matchAll(/\\?\[missing: ([a-z0-9._]+)\\?\]/gi)].map((m) => m[1]))];
  const box = $('missing-fields');
  const kept = new Map([...box.querySelectorAll('[data-field]')].map((i) => [i.dataset.field, i.value]));
  const focused = box.contains(document.activeElement) ? document.activeElement.id : null;
  const template = templates.find((t) => t.name === (page.d.template || 'clinic-letter'));
  const describe = (n) => (template?.fields || []).find((f) => f.name === n)?.description || n;
  box.replaceChildren();
  for (const n of names) {
    const group = n.split('.')[0];
    const own = document.querySelector(`#fields [data-group="${group}"][data-key="${n.slice(group.length + 1)}"]`);
    if (own) {
      own.setAttribute('aria-invalid', 'true');
      continue;
    }
    const inputId = `missing-${n.replace(/\./g, '-')}`;
    box.append(el('p', {}, el('label', { for: inputId }, describe(n)),
      el('input', { id: inputId, 'data-field': n, value: kept.get(n) || '', autocomplete: 'off', disabled: page.readOnly && me.role === 'secretary' })));
  }
  for (const i of document.querySelectorAll('#fields [data-group][aria-invalid]')) {
    const name = `${i.dataset.group}.${i.dataset.key}`;
    if (!names.includes(name)) i.removeAttribute('aria-invalid');
  }
  $('missing').hidden = !box.children.length;
  if (focused) document.getElementById(focused)?.focus();
}

let letterTimer = null;
function refreshLetter() {
  window.clearTimeout(letterTimer);
  letterTimer = window.setTimeout(async () => {
    if (!page.d?.transcript) return;
    try {
      const r = await fetch(`/api/dictations/${encodeURIComponent(id)}/letter?format=md&preview=true`, { credentials: 'same-origin' });
      const text = await r.text();
      if (!r.ok) throw new Error((() => { try { return JSON.parse(text).error; } catch (e) { return `The letter could not be made (${r.status}).`; } })());
      drawLetter(text);
      drawMissing(text);
      showError($('letter-error'), null);
    } catch (e) {
      showError($('letter-error'), e);
    }
  }, 300);
}

async function setStatus(status) {
  const box = status === 'queued' ? $('page-error') : $('letter-error');
  try {
    if (!(await saveTranscript())) throw new Error('Your last changes to the transcript are not saved yet; the status was not changed. Try again in a moment.');
    const d = await api('POST', `/api/dictations/${encodeURIComponent(id)}/status`, { status });
    page.d = d;
    if (d.transcript) page.t = d.transcript;
    drawHead();
    if (page.t) { redrawTranscript(); drawQueries(); }
    refreshLetter();
    announce({ approved: 'Approved.', sent: 'Marked as sent.', review: 'Back in review.', queued: 'Queued for transcription again.' }[status] || `Now ${status}.`);
    showError(box, null);
    $('status-chip').focus();
    if (status === 'queued') load();
  } catch (e) {
    showError(box, e);
  }
}

$('approve').addEventListener('click', () => setStatus('approved'));
$('to-review').addEventListener('click', () => setStatus('review'));
$('sent').addEventListener('click', () => setStatus('sent'));

// ---- player controls ----

audio.addEventListener('error', () => {
  const type = page.d?.audio?.type || 'this kind of file';
  const box = $('audio-error');
  box.replaceChildren(`This browser cannot play the recording (${type}; Apple Lossless, for one, plays only in Safari). `
    + 'The transcript and queries still work. ',
  el('a', { href: `/api/dictations/${encodeURIComponent(id)}/audio`, download: '' }, 'Download the recording'),
  ' to listen in another player.');
  box.hidden = false;
});
$('play').addEventListener('click', () => player.toggle());
$('back').addEventListener('click', () => player.step(-settings().skip));
$('fwd').addEventListener('click', () => player.step(settings().skip));
$('speed').addEventListener('change', () => { audio.playbackRate = Number($('speed').value); });
audio.addEventListener('ratechange', () => { $('speed').value = String(audio.playbackRate); });
$('seek').addEventListener('input', () => {
  const total = audio.duration || page.d?.duration || 0;
  audio.currentTime = (Number($('seek').value) / 1000) * total;
});

installKeys((action) => {
  switch (action) {
    case 'toggle': player.toggle(); break;
    case 'play': player.play(); break;
    case 'stop': player.pause(); break;
    case 'back': player.step(-settings().skip); break;
    case 'forward': player.step(settings().skip); break;
    case 'slower': announce(`Speed ${player.rate(-0.25)}×`); break;
    case 'faster': announce(`Speed ${player.rate(0.25)}×`); break;
    case 'nextQuery': nextQuery(); break;
    case 'playHere': playHere(); break;
    default: break;
  }
}, { toggle: $('play'), back: $('back'), forward: $('fwd') });
installPedal($('pedal'), (action) => {
  if (action === 'play') player.play();
  else if (action === 'stop') player.pause();
  else if (action === 'back') player.step(-settings().skip);
  else if (action === 'forward') player.step(settings().skip);
});

// Leaving: ask first while typing is unsaved (the draft stays in this browser either way);
// give the dictation back to the pool.
let fieldsDirty = false;
$('fields').addEventListener('input', () => { fieldsDirty = true; });
$('fields').addEventListener('submit', () => { fieldsDirty = false; });
window.addEventListener('beforeunload', (ev) => {
  if (page.dirty || page.saving || fieldsDirty) {
    ev.preventDefault();
    ev.returnValue = '';
  }
});
window.addEventListener('pagehide', () => {
  if (me.role === 'secretary' && !page.readOnly) fetch(`/api/dictations/${encodeURIComponent(id)}/release`, { method: 'POST', keepalive: true, credentials: 'same-origin' });
});

// The DOCX is made from what the server has: a pending save goes first.
$('docx').addEventListener('click', async (ev) => {
  if (!page.dirty && !page.saving) return;
  ev.preventDefault();
  if (await saveTranscript()) window.location.href = $('docx').href;
});

async function loadTemplates() {
  try {
    const data = await api('GET', '/api/templates');
    templates = data.templates;
    $('f-template').append(...data.templates.map((t) => el('option', { value: t.name, title: t.description }, t.name.replace(/-/g, ' '))));
    if (page.d) $('f-template').value = page.d.template || '';
  } catch (e) {
    // The template list is a convenience; the default letter still works.
  }
}

// ---- the lock ----
// A secretary at work keeps the dictation's lock (it lapses after 15 idle minutes on the
// server): every 2 minutes while she types or listens. One who only reads is told when the
// holder has left it.
const LOCK_EVERY_MS = 120000;
const LOCK_LOOK_MS = 15000;
let lastActive = Date.now();
let lastKept = Date.now();
for (const ev of ['keydown', 'pointerdown', 'input']) document.addEventListener(ev, () => { lastActive = Date.now(); }, true);

async function keepLock() {
  if (me.role !== 'secretary' || !page.d || !['review', 'queried'].includes(page.d.status)) return;
  try {
    if (!page.readOnly) {
      const active = !audio.paused || Date.now() - lastActive < 5 * 60000;
      if (!active || Date.now() - lastKept < LOCK_EVERY_MS) return;
      lastKept = Date.now();
      const r = await api('POST', `/api/dictations/${encodeURIComponent(id)}/lock`);
      if (r.locked_by !== me.name) {
        page.d.locked_by = r.locked_by;
        drawHead();
        announce(`${r.locked_by} has taken this dictation over; your typing is kept in this browser.`);
      }
      return;
    }
    const r = await row();
    if (!r || r.locked_by === page.d.locked_by) return;
    if (r.locked_by && r.locked_by !== me.name) {
      page.d.locked_by = r.locked_by;
      drawHead();
      return;
    }
    const lock = $('lockbar');
    lock.replaceChildren(`${page.d.locked_by} has left this dictation. `,
      el('button', { type: 'button', class: 'small primary', onclick: () => { lock.hidden = true; load(); } }, 'Work on it'));
    announce(`${page.d.locked_by} has left this dictation.`);
    page.d.locked_by = r.locked_by;
  } catch (e) {
    // The next round tries again; a lost lock also shows when a save is refused.
  }
}
window.setInterval(() => { if (!document.hidden) keepLock(); }, LOCK_LOOK_MS);

pruneDrafts();
loadTemplates().then(load);
