// Transcription keys: two presets (oTranscribe-like and Express-Scribe-like), remappable, kept
// in this browser; optional single-letter keys (off by default, WCAG 2.1.4, and never while
// typing in the transcript); and a USB foot pedal through WebHID where the browser has it.

const STORE = 'medscribe-keys';

export const ACTIONS = {
  toggle: 'Play / pause',
  stop: 'Pause',
  back: 'Back a step',
  forward: 'Forward a step',
  slower: 'Slower',
  faster: 'Faster',
  nextQuery: 'Next query',
  playHere: 'Play from the word at the cursor',
};

const PRESETS = {
  otranscribe: { toggle: 'Escape', back: 'F1', forward: 'F2', slower: 'F3', faster: 'F4', stop: 'Ctrl+F9', nextQuery: 'Alt+ArrowDown', playHere: 'Ctrl+Enter' },
  expressscribe: { toggle: 'F9', stop: 'F4', back: 'F7', forward: 'F8', slower: 'Ctrl+F7', faster: 'Ctrl+F8', nextQuery: 'Alt+ArrowDown', playHere: 'Ctrl+Enter' },
};

const SINGLE = { k: 'toggle', j: 'back', l: 'forward', ',': 'slower', '.': 'faster', n: 'nextQuery' };

const DEFAULTS = { preset: 'otranscribe', keys: { ...PRESETS.otranscribe }, single: false, rewind: 1.5, skip: 3 };

export function settings() {
  try {
    const saved = JSON.parse(window.localStorage.getItem(STORE) || 'null');
    if (saved && saved.keys) return { ...DEFAULTS, ...saved, keys: { ...PRESETS[saved.preset || 'otranscribe'], ...saved.keys } };
  } catch (e) {
    // A broken setting falls back to the defaults.
  }
  return { ...DEFAULTS, keys: { ...DEFAULTS.keys } };
}

function save(s) {
  window.localStorage.setItem(STORE, JSON.stringify(s));
}

/** "Ctrl+Shift+F7" for a key event; null for a lone modifier. */
export function keyName(ev) {
  if (['Control', 'Shift', 'Alt', 'Meta'].includes(ev.key)) return null;
  const mods = [ev.ctrlKey && 'Ctrl', ev.altKey && 'Alt', ev.shiftKey && ev.key.length > 1 && 'Shift', ev.metaKey && 'Meta'].filter(Boolean);
  const key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
  return [...mods, key].join('+');
}

function editing(target) {
  return target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** Shows each action's key on the buttons that do it (title and aria-keyshortcuts). */
function label(s, buttons) {
  for (const [action, button] of Object.entries(buttons)) {
    if (!button) continue;
    const key = s.keys[action];
    button.title = `${ACTIONS[action]} (${key})`;
    button.setAttribute('aria-keyshortcuts', key.replace('Ctrl', 'Control'));
  }
}

/** Listens for the keys; `run(action)` does them. Returns a function that redraws labels. */
export function installKeys(run, buttons) {
  let s = settings();
  let capturing = null;
  document.addEventListener('keydown', (ev) => {
    if (capturing) return;
    // Keys belong to an open dialog (Escape closes it) and Alt+arrows to a list box.
    if (ev.target.closest && ev.target.closest('dialog[open]')) return;
    if (ev.target.tagName === 'SELECT' && ev.altKey) return;
    const name = keyName(ev);
    if (!name) return;
    let action = Object.keys(s.keys).find((a) => s.keys[a] === name);
    if (!action && s.single && !editing(ev.target) && !ev.ctrlKey && !ev.altKey && !ev.metaKey) action = SINGLE[ev.key];
    if (!action) return;
    ev.preventDefault();
    run(action);
  });
  label(s, buttons);
  setupDialog(() => s, (next) => { s = next; save(s); label(s, buttons); }, (c) => { capturing = c; });
  return () => s;
}

function setupDialog(get, set, setCapturing) {
  const dialog = document.getElementById('keys-dialog');
  if (!dialog) return;
  const table = document.getElementById('keys-table');
  const draw = () => {
    const s = get();
    document.getElementById('preset').value = s.preset;
    document.getElementById('single-keys').checked = s.single;
    document.getElementById('rewind').value = String(s.rewind);
    document.getElementById('skip').value = String(s.skip);
    table.replaceChildren();
    for (const [action, text] of Object.entries(ACTIONS)) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'small';
      button.append(Object.assign(document.createElement('kbd'), { textContent: s.keys[action] }));
      button.setAttribute('aria-label', `${text}: ${s.keys[action]}. Press to change.`);
      button.addEventListener('click', () => capture(action, button));
      const single = Object.keys(SINGLE).find((k) => SINGLE[k] === action);
      const tr = document.createElement('tr');
      const th = document.createElement('td');
      th.textContent = text;
      const td = document.createElement('td');
      td.append(button);
      if (s.single && single) td.append(' or ', Object.assign(document.createElement('kbd'), { textContent: single }));
      tr.append(th, td);
      table.append(tr);
    }
  };
  let cancel = null;
  const capture = (action, button) => {
    if (cancel) cancel();
    button.textContent = 'Press a key… (Backspace: keep)';
    button.setAttribute('aria-label', `${ACTIONS[action]}: press the new key, or Backspace to keep it`);
    const stop = () => {
      document.removeEventListener('keydown', onKey, true);
      setCapturing(null);
      cancel = null;
    };
    // A key that types text cannot be a shortcut: it would stop typing (WCAG 2.1.4).
    const types = (ev) => ev.key.length === 1 && !ev.ctrlKey && !ev.altKey && !ev.metaKey;
    function onKey(ev) {
      const name = keyName(ev);
      if (!name) return;
      ev.preventDefault();
      ev.stopPropagation();
      if (types(ev) || ['Enter', 'Tab', 'Delete'].includes(name)) {
        button.textContent = 'Use a function key, Escape, or a key with Ctrl or Alt';
        return;
      }
      stop();
      if (name !== 'Backspace') {
        const s = get();
        const keys = { ...s.keys };
        // A key does one thing: whatever had it before loses it to this action.
        for (const a of Object.keys(keys)) if (keys[a] === name) keys[a] = s.keys[action];
        keys[action] = name;
        set({ ...s, keys });
      }
      draw();
    }
    cancel = () => { stop(); draw(); };
    setCapturing(onKey);
    document.addEventListener('keydown', onKey, true);
  };
  document.getElementById('keys-open').addEventListener('click', () => { draw(); dialog.showModal(); });
  document.getElementById('keys-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => { if (cancel) cancel(); });
  document.getElementById('preset').addEventListener('change', (ev) => {
    const preset = ev.target.value;
    set({ ...get(), preset, keys: { ...PRESETS[preset] } });
    draw();
  });
  document.getElementById('single-keys').addEventListener('change', (ev) => { set({ ...get(), single: ev.target.checked }); draw(); });
  document.getElementById('rewind').addEventListener('change', (ev) => set({ ...get(), rewind: Number(ev.target.value) }));
  document.getElementById('skip').addEventListener('change', (ev) => set({ ...get(), skip: Number(ev.target.value) }));
}

/** A USB foot pedal (left back, middle play while held, right forward) through WebHID. */
export function installPedal(button, run) {
  if (!button || !('hid' in navigator)) return;
  button.hidden = false;
  let held = 0;
  let repeat = null;
  const listen = (device) => {
    device.addEventListener('inputreport', (ev) => {
      const bits = ev.data.byteLength ? ev.data.getUint8(0) | (ev.data.byteLength > 1 ? ev.data.getUint8(1) : 0) : 0;
      const pressed = bits & ~held;
      const released = held & ~bits;
      held = bits;
      window.clearInterval(repeat);
      if (pressed & 2) run('play');
      if (released & 2) run('stop');
      if (pressed & 1) { run('back'); repeat = window.setInterval(() => run('back'), 400); }
      if (pressed & 4) { run('forward'); repeat = window.setInterval(() => run('forward'), 400); }
    });
  };
  button.addEventListener('click', async () => {
    const [device] = await navigator.hid.requestDevice({ filters: [] });
    if (!device) return;
    if (!device.opened) await device.open();
    listen(device);
    button.textContent = `Pedal: ${device.productName || 'connected'}`;
  });
  navigator.hid.getDevices().then(async (devices) => {
    for (const d of devices) {
      if (!d.opened) await d.open();
      listen(d);
      button.textContent = `Pedal: ${d.productName || 'connected'}`;
    }
  }).catch(() => {});
}
