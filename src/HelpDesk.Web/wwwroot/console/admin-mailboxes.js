// Mailboxes (#/admin/mailboxes): every mailbox with how its fetching goes (last fetch, lag, errors). Mailboxes of the
// configuration file are shown read-only; stored ones are added, edited (If-Match with the version the editor read —
// required by the API), disabled and deleted. Passwords are write-only: the form never shows one, an empty field keeps
// the stored password. "Test connection" tests the form's settings (unsaved ones too) and answers beside the button.
import { el, api, post, write, field, showProblem, clearProblem, fmtTime, fmtSpan, plural } from './lib.js';

const outcomeText = {
  ok: 'works', authentication_failed: 'user name or password refused', authentication_unsupported: 'the server offers no sign-in we can use',
  tls_failed: 'TLS failed (port or TLS setting wrong?)', unknown_host: 'unknown host', refused: 'connection refused (port?)',
  unreachable: 'host unreachable', timeout: 'no answer (timeout)', protocol_error: 'the server spoke something else (port?)',
  folder_not_found: 'folder not found', not_configured: 'not set up', error: 'failed',
};
const stateText = { ok: 'Fetching', error: 'Failing', never_fetched: 'Not fetched yet', disabled: 'Disabled' };

function statusCell(s) {
  return el('td', { class: 'mb-status', 'data-label': 'Status' },
    el('span', { class: `pill mb-${s.state}`, text: stateText[s.state] ?? s.state }),
    s.lastFetchAt ? el('div', { class: 'sub', text: `Last fetch ${fmtTime(s.lastFetchAt)} · ${fmtSpan(s.lagSeconds * 1000)} ago` }) : null,
    s.failures > 0 ? el('div', { class: 'error', text: `${plural(s.failures, 'failed attempt')}: ${s.lastError ?? ''}` }) : null);
}

function testResult(target, result) {
  target.replaceChildren(...['imap', 'smtp'].map((part) => {
    const r = result[part];
    return el('div', { class: r.outcome === 'ok' ? 'ok' : r.outcome === 'not_configured' ? 'sub' : 'error', 'data-part': part, 'data-outcome': r.outcome },
      el('strong', { text: `${part.toUpperCase()}: ${outcomeText[r.outcome] ?? r.outcome}` }), r.message && r.outcome !== 'ok' ? ` — ${r.message}` : '');
  }));
}

function editor(mailbox, teams, done) {
  const input = (id, attrs = {}) => el('input', { id: `mb-${id}`, autocomplete: 'off', ...attrs });
  const check = (id, label, checked) => el('label', { class: 'admin-check' }, el('input', { type: 'checkbox', id: `mb-${id}`, checked }), ` ${label}`);
  const imap = mailbox?.imap ?? { host: '', port: 993, useTls: true, username: '', passwordSet: false, folder: 'INBOX', team: null };
  const smtp = mailbox?.smtp ?? { host: '', port: 587, useTls: true, username: '', passwordSet: false };
  const secret = (id, set) => input(id, { type: 'password', autocomplete: 'new-password', placeholder: set ? 'stored — leave empty to keep it' : 'none stored' });
  const team = el('select', { id: 'mb-imap-team' }, el('option', { value: '', text: 'The default team' }), ...teams.map((t) => el('option', { value: t.name, text: t.displayName || t.name })));
  team.value = imap.team ?? '';
  const error = el('p', { class: 'field-error', id: 'mb-error', role: 'alert' });
  const tested = el('div', { class: 'mb-test', id: 'mb-test-result', role: 'status', 'aria-live': 'polite' });
  const testButton = el('button', { type: 'button', id: 'mb-test', text: 'Test connection' });
  const form = el('form', { class: 'macro-form mb-form', id: 'mailbox-form', novalidate: true },
    el('h2', { text: mailbox ? `Edit mailbox “${mailbox.name}”` : 'Add a mailbox' }),
    field('Name', input('name', { value: mailbox?.name ?? '', disabled: !!mailbox, maxlength: '100' }), mailbox ? 'A mailbox keeps its name.' : null),
    check('enabled', 'Enabled (fetch mail from it)', mailbox?.enabled ?? true),
    el('fieldset', { class: 'admin-group' }, el('legend', { text: 'IMAP (fetching)' }),
      field('Host', input('imap-host', { value: imap.host })), field('Port', input('imap-port', { type: 'number', min: '1', max: '65535', value: String(imap.port) })),
      check('imap-useTls', 'TLS', imap.useTls), field('User name', input('imap-username', { value: imap.username })),
      field('Password', secret('imap-password', imap.passwordSet)), field('Folder', input('imap-folder', { value: imap.folder })), field('Files tickets for', team)),
    el('fieldset', { class: 'admin-group' }, el('legend', { text: 'SMTP (sending, optional)' }),
      field('Host', input('smtp-host', { value: smtp.host ?? '', placeholder: 'empty: this mailbox sends nothing' })),
      field('Port', input('smtp-port', { type: 'number', min: '1', max: '65535', value: String(smtp.port) })), check('smtp-useTls', 'TLS', smtp.useTls),
      field('User name', input('smtp-username', { value: smtp.username ?? '' })), field('Password', secret('smtp-password', smtp.passwordSet))),
    el('div', { class: 'mb-test-row' }, testButton, tested),
    el('div', { class: 'dialog-foot' }, error, el('button', { type: 'button', id: 'mb-cancel', text: 'Cancel' }), el('button', { type: 'submit', class: 'primary', id: 'mb-save', text: 'Save' })));

  const value = (id) => form.querySelector(`#mb-${id}`).value.trim();
  const checked = (id) => form.querySelector(`#mb-${id}`).checked;
  // An empty password field means "keep the stored one" (null), never "remove it".
  const body = () => ({
    name: mailbox?.name ?? value('name'), enabled: checked('enabled'),
    imap: { host: value('imap-host'), port: Number(value('imap-port')) || null, useTls: checked('imap-useTls'), username: value('imap-username'),
      password: form.querySelector('#mb-imap-password').value || null, folder: value('imap-folder'), team: team.value || null },
    smtp: { host: value('smtp-host') || null, port: Number(value('smtp-port')) || null, useTls: checked('smtp-useTls'), username: value('smtp-username') || null,
      password: form.querySelector('#mb-smtp-password').value || null },
  });
  testButton.addEventListener('click', async () => {
    clearProblem(form);
    testButton.disabled = true;
    tested.replaceChildren(el('span', { class: 'sub', text: 'Testing…' }));
    try { testResult(tested, await post(mailbox ? `/api/v1/mailboxes/${encodeURIComponent(mailbox.id)}/test` : '/api/v1/mailboxes/test', body())); }
    catch (err) { tested.replaceChildren(); showProblem(form, err, 'mb-', error); }
    finally { testButton.disabled = false; }
  });
  form.querySelector('#mb-cancel').addEventListener('click', () => done(null));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const saved = mailbox ? await write('PUT', `/api/v1/mailboxes/${encodeURIComponent(mailbox.id)}`, mailbox.version, body()) : await post('/api/v1/mailboxes', body());
      done(saved);
    } catch (err) {
      showProblem(form, err, 'mb-', error);
      if (err.status === 412) error.textContent = 'Someone changed this mailbox after you opened it, so nothing was saved. Cancel and open it again to see their change.';
    }
  });
  return form;
}

export async function show(root, ctx, notice) {
  const [mailboxes, teams] = await Promise.all([api('/api/v1/mailboxes'), api('/api/v1/teams')]);
  const panel = el('div', { id: 'mailbox-panel' });
  const status = el('p', { id: 'mb-status', role: 'status', 'aria-live': 'polite', text: notice ?? '' });
  const finish = (saved) => saved ? show(root, ctx, `Mailbox “${saved.name}” saved.`) : panel.replaceChildren();
  const open = (form) => { panel.replaceChildren(form); form.querySelector('input:not([disabled])')?.focus(); form.scrollIntoView({ block: 'nearest' }); };

  const rows = mailboxes.map((m) => {
    const actions = el('td', { class: 'admin-actions', 'data-label': '' });
    const result = el('span', { class: 'action-error', role: 'alert' });
    if (m.readOnly) actions.append(el('span', { class: 'sub', text: 'In the configuration file: change it there.' }));
    else if (!ctx.readOnly) {
      const edit = el('button', { type: 'button', class: 'link edit', text: 'Edit' });
      const del = el('button', { type: 'button', class: 'link delete', text: 'Delete' });
      edit.addEventListener('click', async () => {
        // The editor works on what is stored now: its version is the If-Match of the save.
        try { open(editor(await api(`/api/v1/mailboxes/${encodeURIComponent(m.id)}`), teams, finish)); } catch (err) { result.textContent = err.message; }
      });
      del.addEventListener('click', async () => {
        if (!confirm(`Delete the mailbox “${m.name}”? Mail it brought stays; nothing more is fetched from it.`)) return;
        try { await write('DELETE', `/api/v1/mailboxes/${encodeURIComponent(m.id)}`, m.version); await show(root, ctx, `Mailbox “${m.name}” deleted.`); }
        catch (err) { result.textContent = err.status === 412 ? 'Changed meanwhile: reload and try again.' : err.body?.detail ?? err.message; }
      });
      actions.append(edit, ' ', del);
    }
    actions.append(result);
    return el('tr', { 'data-id': m.id, 'data-name': m.name },
      el('td', { 'data-label': 'Mailbox' }, el('strong', { text: m.name }), el('div', { class: 'sub', text: m.source === 'configuration' ? 'configuration file · read-only' : `stored · version ${m.version}` })),
      el('td', { 'data-label': 'IMAP', text: `${m.imap.username || '—'} @ ${m.imap.host || '—'}:${m.imap.port}${m.imap.useTls ? ' (TLS)' : ''} · ${m.imap.folder}${m.imap.team ? ` → ${m.imap.team}` : ''}` }),
      el('td', { 'data-label': 'SMTP', text: m.smtp?.host ? `${m.smtp.host}:${m.smtp.port}` : '—' }),
      statusCell(m.status), actions);
  });
  const head = [el('h1', { text: 'Mailboxes' })];
  if (!ctx.readOnly) {
    const add = el('button', { type: 'button', class: 'primary', id: 'mailbox-new', text: 'Add a mailbox' });
    add.addEventListener('click', () => open(editor(null, teams, finish)));
    head.push(add);
  }
  root.replaceChildren(el('div', { class: 'report-head' }, ...head), status, panel,
    mailboxes.length ? el('table', { class: 'macro-table admin-table', id: 'mailbox-list' },
      el('thead', {}, el('tr', {}, ...['Mailbox', 'IMAP', 'SMTP', 'Status', ''].map((h) => el('th', { scope: 'col', text: h })))), el('tbody', {}, ...rows))
      : el('p', { class: 'empty', text: 'No mailboxes yet. Add one to fetch customers’ mail, or pipe mail into the mailgate (docs/email.md).' }));
}
