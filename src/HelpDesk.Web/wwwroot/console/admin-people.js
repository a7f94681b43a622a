// Teams and agents (#/admin/people): the teams with their members, the agents with role, teams and state. Admins create a
// team, invite an agent by mail (POST /agents without a password, then /agents/{email}/invite), change an agent's role and
// teams (If-Match with the version read when the editor opened), mail a password reset, and deactivate (their open tickets
// unassigned or reassigned, as the API offers). Leads read their own teams and agents only.
import { el, api, post, write, field, showProblem, clearProblem, fmtTime, plural } from './lib.js';

const roles = [['agent', 'Agent'], ['lead', 'Team lead'], ['admin', 'Admin']];
const roleLabel = (r) => roles.find(([v]) => v === r)?.[1] ?? r;
const enc = encodeURIComponent;

function teamBoxes(prefix, teams, chosen) {
  return el('fieldset', { class: 'admin-checks', id: `${prefix}teams` }, el('legend', { text: 'Teams' }),
    ...(teams.length ? teams.map((t) => el('label', {}, el('input', { type: 'checkbox', value: t.name, checked: chosen.includes(t.name) }), ` ${t.displayName || t.name}`))
      : [el('span', { class: 'sub', text: 'No team yet: create one first.' })]),
    el('span', { class: 'field-error', id: `${prefix}teams-error`, role: 'alert' }));
}
const checkedTeams = (fieldset) => [...fieldset.querySelectorAll('input:checked')].map((b) => b.value);
const roleSelect = (id, value) => {
  const s = el('select', { id }, ...roles.map(([v, l]) => el('option', { value: v, text: l })));
  s.value = value; return s;
};

export async function show(root, ctx) {
  const [teams, agents] = await Promise.all([api('/api/v1/teams'), api('/api/v1/agents')]);
  const reload = () => show(root, ctx);
  const status = el('p', { id: 'people-status', role: 'status', 'aria-live': 'polite' });
  const panel = el('div', { id: 'people-panel' });
  const open = (form, focus) => { panel.replaceChildren(form); form.querySelector(focus)?.focus(); form.scrollIntoView({ block: 'nearest' }); };
  const close = () => panel.replaceChildren();
  const cancel = () => { const b = el('button', { type: 'button', text: 'Cancel' }); b.addEventListener('click', close); return b; };

  // ---- Teams ----
  const members = (team) => agents.filter((a) => a.active && a.teams.includes(team.name));
  const teamTable = teams.length
    ? el('table', { class: 'macro-table admin-table', id: 'team-list' },
      el('thead', {}, el('tr', {}, ...['Team', 'Name', 'Active members'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...teams.map((t) => el('tr', { 'data-team': t.name },
        el('td', { 'data-label': 'Team' }, el('code', { text: t.name })), el('td', { 'data-label': 'Name', text: t.displayName }),
        el('td', { 'data-label': 'Active members', text: members(t).map((a) => a.name).join(', ') || '—' })))))
    : el('p', { class: 'empty', text: 'No teams yet.' });

  function teamForm() {
    const name = el('input', { id: 'tm-name', required: true, maxlength: '50', autocomplete: 'off', placeholder: 'support' });
    const display = el('input', { id: 'tm-displayName', maxlength: '100', placeholder: 'Customer support' });
    const error = el('p', { class: 'field-error', id: 'tm-error', role: 'alert' });
    const form = el('form', { class: 'macro-form', id: 'team-form', novalidate: true }, el('h2', { text: 'New team' }),
      field('Short name (lower case, used in the API and mail rules)', name), field('Display name', display), error,
      el('div', { class: 'dialog-foot' }, cancel(), el('button', { type: 'submit', class: 'primary', id: 'tm-save', text: 'Create team' })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const team = await post('/api/v1/teams', { name: name.value.trim(), displayName: display.value.trim() || name.value.trim() });
        await reload();
        root.querySelector('#people-status').textContent = `Team “${team.displayName}” created.`;
      } catch (err) { showProblem(form, err, 'tm-', error); }
    });
    return form;
  }

  // ---- Agents ----
  function inviteForm() {
    const email = el('input', { id: 'iv-email', type: 'email', required: true, autocomplete: 'off' });
    const name = el('input', { id: 'iv-name', required: true, maxlength: '100' });
    const boxes = teamBoxes('iv-', teams, teams.length === 1 ? [teams[0].name] : []);
    const error = el('p', { class: 'field-error', id: 'iv-error', role: 'alert' });
    const form = el('form', { class: 'macro-form', id: 'invite-form', novalidate: true }, el('h2', { text: 'Invite an agent' }),
      el('p', { class: 'sub', text: 'They get a mail with a link to set their own password (valid 7 days, works once).' }),
      field('E-mail', email), field('Name', name), field('Role', roleSelect('iv-role', 'agent')), boxes, error,
      el('div', { class: 'dialog-foot' }, cancel(), el('button', { type: 'submit', class: 'primary', id: 'iv-send', text: 'Send invitation' })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearProblem(form); error.textContent = '';
      let agent;
      try {
        agent = await post('/api/v1/agents', { email: email.value.trim(), name: name.value.trim(), role: form.querySelector('#iv-role').value, teams: checkedTeams(boxes) });
      } catch (err) { showProblem(form, err, 'iv-', error); return; }
      try {
        const sent = await post(`/api/v1/agents/${enc(agent.email)}/invite`);
        await reload();
        root.querySelector('#people-status').textContent = `Invitation mailed to ${sent.email}; the link works until ${fmtTime(sent.expiresAt)}.`;
      } catch (err) {
        // The agent exists now; only the mail failed: say so, and let the admin send it again from the list.
        await reload();
        root.querySelector('#people-status').replaceChildren(el('span', { class: 'error', text: `${agent.email} was added, but the invitation was not mailed: ${err.body?.detail ?? err.message}` }));
      }
    });
    return form;
  }

  async function editForm(a) {
    const current = await api(`/api/v1/agents/${enc(a.email)}`);
    const name = el('input', { id: 'ag-name', required: true, maxlength: '100', value: current.name });
    const boxes = teamBoxes('ag-', teams, current.teams);
    const error = el('p', { class: 'field-error', id: 'ag-error', role: 'alert' });
    const form = el('form', { class: 'macro-form', id: 'agent-form', novalidate: true, 'data-version': String(current.version) },
      el('h2', { text: `Edit ${current.email}` }), field('Name', name), field('Role', roleSelect('ag-role', current.role)), boxes,
      el('div', { class: 'dialog-foot' }, error, cancel(), el('button', { type: 'submit', class: 'primary', id: 'ag-save', text: 'Save' })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const saved = await write('PUT', `/api/v1/agents/${enc(current.email)}`, current.version,
          { name: name.value.trim(), role: form.querySelector('#ag-role').value, teams: checkedTeams(boxes) });
        await reload();
        root.querySelector('#people-status').textContent = `${saved.email} saved.`;
      } catch (err) {
        showProblem(form, err, 'ag-', error);
        if (err.status === 412) error.textContent = 'Someone changed this agent after you opened it. Cancel and open it again to see their change.';
      }
    });
    return form;
  }

  async function deactivateForm(a) {
    const current = await api(`/api/v1/agents/${enc(a.email)}`);
    const others = agents.filter((x) => x.active && x.email !== a.email);
    const unassign = el('input', { type: 'radio', name: 'handback', id: 'da-unassign', value: 'unassign', checked: true });
    const reassign = el('input', { type: 'radio', name: 'handback', id: 'da-reassign', value: 'reassign', disabled: others.length === 0 });
    const to = el('select', { id: 'da-reassignTo', 'aria-label': 'Reassign to', disabled: true }, ...others.map((x) => el('option', { value: x.email, text: `${x.name} (${x.email})` })));
    for (const r of [unassign, reassign]) r.addEventListener('change', () => { to.disabled = !reassign.checked; });
    const error = el('p', { class: 'field-error', id: 'da-error', role: 'alert' });
    const form = el('form', { class: 'macro-form', id: 'deactivate-form', novalidate: true },
      el('h2', { text: `Deactivate ${current.name}` }),
      el('p', { class: 'sub', text: 'They are signed out everywhere and their API tokens stop working at once. Their tickets and history stay.' }),
      el('fieldset', { class: 'admin-checks' }, el('legend', { text: 'Their open tickets' }),
        el('label', {}, unassign, ' Unassign them (back to the team’s queue)'),
        el('label', {}, reassign, ' Reassign them to ', to),
        el('span', { class: 'sub', text: 'A ticket of a team the new assignee is not in is unassigned instead.' }),
        el('span', { class: 'field-error', id: 'da-reassignTo-error', role: 'alert' })),
      el('div', { class: 'dialog-foot' }, error, cancel(), el('button', { type: 'submit', class: 'primary danger', id: 'da-confirm', text: 'Deactivate' })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const done = await write('POST', `/api/v1/agents/${enc(current.email)}/deactivate`, current.version,
          { tickets: reassign.checked ? 'reassign' : 'unassign', reassignTo: reassign.checked ? to.value : null });
        await reload();
        root.querySelector('#people-status').textContent = `${current.email} deactivated: ${plural(done.sessionsEnded, 'session')} ended, ${plural(done.tokensRevoked, 'token')} revoked, `
          + `${plural(done.ticketsUnassigned, 'ticket')} unassigned, ${done.ticketsReassigned} reassigned.`;
      } catch (err) {
        showProblem(form, err, 'da-', error);
        if (err.status === 412) error.textContent = 'Someone changed this agent after you opened it. Cancel and try again.';
      }
    });
    return form;
  }

  const agentRows = agents.map((a) => {
    const actions = el('td', { class: 'admin-actions', 'data-label': '' });
    const result = el('span', { class: 'action-error', role: 'alert' });
    if (!ctx.readOnly && a.active && a.email !== ctx.me.email) {
      const button = (text, cls) => el('button', { type: 'button', class: `link ${cls}`, text });
      const edit = button('Edit', 'edit'), reset = button('Reset password', 'reset'), off = button('Deactivate', 'deactivate');
      edit.addEventListener('click', async () => { try { open(await editForm(a), '#ag-name'); } catch (err) { result.textContent = err.message; } });
      off.addEventListener('click', async () => { try { open(await deactivateForm(a), '#da-unassign'); } catch (err) { result.textContent = err.message; } });
      reset.addEventListener('click', async () => {
        result.textContent = ''; result.className = 'action-error';
        try {
          const sent = await post(`/api/v1/agents/${enc(a.email)}/reset-password`);
          result.className = 'sub'; result.textContent = `Reset link mailed, valid until ${fmtTime(sent.expiresAt)}.`;
        } catch (err) { result.textContent = err.body?.detail ?? err.message; }
      });
      actions.append(edit, ' ', reset, ' ', off);
    }
    actions.append(result);
    return el('tr', { 'data-email': a.email, class: a.active ? null : 'inactive' },
      el('td', { 'data-label': 'Agent' }, el('strong', { text: a.name }), el('div', { class: 'sub', text: a.email })),
      el('td', { 'data-label': 'Role', text: roleLabel(a.role) }),
      el('td', { 'data-label': 'Teams', text: a.teams.join(', ') || '—' }),
      el('td', { 'data-label': 'State', text: a.active ? 'Active' : 'Deactivated' }),
      actions);
  });

  const head = [el('h1', { text: 'Teams and agents' })];
  if (!ctx.readOnly) {
    const invite = el('button', { type: 'button', class: 'primary', id: 'agent-invite', text: 'Invite an agent' });
    const newTeam = el('button', { type: 'button', id: 'team-new', text: 'New team' });
    invite.addEventListener('click', () => open(inviteForm(), '#iv-email'));
    newTeam.addEventListener('click', () => open(teamForm(), '#tm-name'));
    head.push(invite, newTeam);
  } else head.push(el('span', { class: 'sub', text: 'Read-only: admins change teams and agents.' }));
  root.replaceChildren(el('div', { class: 'report-head' }, ...head), status, panel,
    el('h2', { class: 'admin-h2', text: 'Agents' }),
    agents.length ? el('table', { class: 'macro-table admin-table', id: 'agent-list' },
      el('thead', {}, el('tr', {}, ...['Agent', 'Role', 'Teams', 'State', ''].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...agentRows)) : el('p', { class: 'empty', text: 'No agents yet.' }),
    el('h2', { class: 'admin-h2', text: 'Teams' }), teamTable);
}
