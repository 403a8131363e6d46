// New dictation: the details that go with it, uploads (drag and drop, several at once, each
// with its progress) and recording in the browser. Each file becomes one dictation.

import { api, announce, el, me, clock, showError } from './common.js';
import { Recorder } from './recorder.js';

const $ = (id) => document.getElementById(id);

/** Secretaries file a dictation under its author; an author's own are theirs. */
async function loadAuthors() {
  if (me.role === 'author') {
    $('author-field').hidden = true;
    return;
  }
  try {
    const data = await api('GET', '/api/authors');
    $('author').replaceChildren(el('option', { value: '' }, 'Choose the author…'),
      ...data.authors.map((a) => el('option', { value: a.name }, a.full_name ? `${a.full_name} (${a.name})` : a.name)));
  } catch (e) {
    showError($('rec-error'), e);
  }
}

async function loadTemplates() {
  try {
    const data = await api('GET', '/api/templates');
    for (const t of data.templates) {
      $('template').append(el('option', { value: t.name, title: t.description }, t.name.replace(/-/g, ' ')));
    }
  } catch (e) {
    // The list is a convenience: the dictation's spoken work type still chooses one.
  }
}

/** The `meta` part of an upload, from the form. */
function meta() {
  const m = { priority: $('priority').value };
  if (me.role !== 'author') m.author = $('author').value;
  const patient = {};
  if ($('patient-name').value.trim()) patient.name = $('patient-name').value.trim();
  if ($('patient-dob').value) patient.dob = $('patient-dob').value;
  if ($('patient-mrn').value.trim()) patient.mrn = $('patient-mrn').value.trim();
  if (Object.keys(patient).length) m.patient = patient;
  if ($('template').value) m.template = $('template').value;
  if ($('title').value.trim()) m.title = $('title').value.trim();
  if ($('note').value.trim()) m.note = $('note').value.trim();
  if ($('due').value) m.due = new Date($('due').value).toISOString();
  return m;
}

/** Uploads one file with its progress shown in the list; resolves to the new dictation. */
function upload(file, name) {
  const bar = el('progress', { max: '100', value: '0', 'aria-label': `Uploading ${name}` });
  const status = el('span', {}, 'Uploading…');
  const item = el('li', {}, el('span', {}, name, el('span', { class: 'muted' }, ` (${(file.size / 1048576).toFixed(1)} MB)`)), bar, status);
  $('uploads').append(item);
  const form = new FormData();
  form.append('audio', file, name);
  form.append('meta', new Blob([JSON.stringify(meta())], { type: 'application/json' }));
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/dictations');
    xhr.upload.addEventListener('progress', (ev) => {
      if (ev.lengthComputable) bar.value = Math.round((ev.loaded / ev.total) * 100);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 201 && body) {
        bar.value = 100;
        status.replaceChildren(el('a', { href: `/dictations/${encodeURIComponent(body.id)}` }, 'Queued for transcription'));
        status.className = 'ok';
        announce(`${name} uploaded and queued for transcription.`);
        resolve(body);
      } else {
        const why = (body && body.error) || (xhr.status === 401 ? 'Your session has ended: sign in again and upload it once more.' : `The server answered ${xhr.status}.`);
        status.textContent = why;
        status.className = 'error';
        announce(`${name} was not uploaded: ${why}`);
        resolve(null);
      }
    });
    xhr.addEventListener('error', () => {
      status.textContent = 'The server cannot be reached; nothing was uploaded. Try again.';
      status.className = 'error';
      resolve(null);
    });
    xhr.send(form);
  });
}

/** Refuses to upload until the author is chosen (the server would refuse too). */
function ready() {
  if (me.role !== 'author' && !$('author').value) {
    announce('Choose the author first.');
    $('author').focus();
    $('author').setAttribute('aria-invalid', 'true');
    return false;
  }
  $('author').removeAttribute('aria-invalid');
  return true;
}

async function uploadAll(files) {
  if (!ready()) return;
  for (const f of files) await upload(f, f.name);
}

const drop = $('drop');
drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (ev) => {
  ev.preventDefault();
  drop.classList.remove('over');
  uploadAll([...ev.dataTransfer.files]);
});
$('files').addEventListener('change', () => {
  uploadAll([...$('files').files]);
  $('files').value = '';
});

// Recording.
const meter = $('meter');
const recorder = new Recorder({
  onLevel: (peak) => {
    const pct = Math.min(100, Math.round(Math.sqrt(peak) * 100));
    meter.firstElementChild.style.width = `${pct}%`;
    meter.setAttribute('aria-valuenow', String(pct));
  },
});
let ticker = null;
let mode = 'idle';

function setMode(next) {
  mode = next;
  const has = recorder.samples > 0;
  $('rec-start').textContent = mode === 'paused' ? 'Resume' : (has && mode !== 'recording' ? 'Record more' : 'Record');
  $('rec-start').disabled = mode === 'recording';
  $('rec-pause').disabled = mode !== 'recording';
  $('rec-stop').disabled = mode !== 'recording' && mode !== 'paused';
  $('rec-send').disabled = !has || mode === 'recording';
  $('rec-discard').disabled = !has || mode === 'recording';
  $('rec-state').textContent = { idle: has ? 'Stopped' : 'Not recording', recording: 'Recording', paused: 'Paused' }[mode];
  $('rec-time').textContent = clock(recorder.seconds);
  const preview = $('rec-preview');
  if (mode === 'idle' && has) {
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(recorder.wav());
    preview.hidden = false;
  } else {
    preview.hidden = true;
  }
}

$('rec-start').addEventListener('click', async () => {
  showError($('rec-error'), null);
  try {
    await recorder.start();
    setMode('recording');
    announce('Recording.');
    window.clearInterval(ticker);
    ticker = window.setInterval(() => { $('rec-time').textContent = clock(recorder.seconds); }, 250);
  } catch (e) {
    showError($('rec-error'), new Error(e.name === 'NotAllowedError' ? 'The browser was not allowed to use the microphone. Allow it in the address bar, then press Record again.' : (e.message || String(e))));
  }
});
$('rec-pause').addEventListener('click', () => { recorder.pause(); window.clearInterval(ticker); setMode('paused'); announce('Paused.'); });
window.addEventListener('beforeunload', (ev) => {
  if (recorder.samples > 0) {
    ev.preventDefault();
    ev.returnValue = '';
  }
});
$('rec-stop').addEventListener('click', async () => {
  await recorder.stop();
  window.clearInterval(ticker);
  setMode('idle');
  announce(`Stopped at ${clock(recorder.seconds)}.`);
});
$('rec-discard').addEventListener('click', () => {
  if (!window.confirm('Discard this recording? It cannot be brought back.')) return;
  recorder.discard();
  setMode('idle');
});
$('rec-send').addEventListener('click', async () => {
  if (!ready()) return;
  $('rec-send').disabled = true;
  const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const done = await upload(recorder.wav(), `Recording ${stamp}.wav`);
  if (done) {
    recorder.discard();
    // The next recording is most likely another patient: start from empty details.
    for (const f of ['patient-name', 'patient-dob', 'patient-mrn', 'title', 'note']) $(f).value = '';
    announce('Sent. The patient details are cleared for the next dictation.');
  }
  setMode('idle');
});

setMode('idle');
loadAuthors();
loadTemplates();
