// The /set-password page (an invitation or reset mail links here with ?token=…): posts the token and the chosen password to
// POST /api/v1/account-links/accept and says what happened beside the button. No console code: this page is for someone
// who cannot sign in yet.
const form = document.getElementById('set-password');
const error = document.getElementById('password-error');
const token = new URLSearchParams(location.search).get('token') ?? '';
if (!token) error.textContent = 'This page needs the link from your invitation or reset mail. Open the link in the mail again.';

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.textContent = '';
  const password = document.getElementById('password').value;
  if (password !== document.getElementById('repeat').value) { error.textContent = 'The two passwords are not the same.'; return; }
  const save = document.getElementById('save');
  save.disabled = true;
  try {
    const res = await fetch('/api/v1/account-links/accept', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-TOKEN': document.getElementById('csrf').value },
      body: JSON.stringify({ token, password }),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      error.textContent = body?.errors ? Object.values(body.errors).flat().join(' ')
        : res.status === 429 ? 'Too many attempts. Wait a minute and try again.' : body?.detail ?? `The password was not set (${res.status}).`;
      return;
    }
    form.hidden = true;
    document.getElementById('done').hidden = false;
    // The token is spent: it leaves the address bar and the history entry.
    history.replaceState(null, '', '/set-password');
    document.querySelector('#done a').focus();
  } catch {
    error.textContent = 'The server could not be reached. Try again.';
  } finally { save.disabled = false; }
});
