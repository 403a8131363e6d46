// Your account: change your password (the server checks the current one and the length).

import { api, announce, showError } from './common.js';

const $ = (id) => document.getElementById(id);

$('password-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('password-done').textContent = '';
  if ($('new').value !== $('again').value) {
    showError($('password-error'), new Error('The two new passwords are not the same.'));
    return;
  }
  try {
    await api('POST', '/api/password', { current: $('current').value, new: $('new').value });
    showError($('password-error'), null);
    $('password-form').reset();
    $('password-done').textContent = 'Your password is changed.';
    announce('Password changed.');
  } catch (e) {
    showError($('password-error'), e);
  }
});
