// Macros: the composer's picker (button or m: search by name, a preview of what the macro does, then apply) and the
// leads' and admins' list/edit page (#/admin/macros). Applying goes through POST /api/v1/tickets/{n}/macros/{id}, which
// changes the ticket by the same paths as a change by hand; ?preview=true answers the same plan without changing anything.
import { $, el, api, post, vocabulary, fillOptions, problemText } from './lib.js';

// ---------- The composer's picker ----------
const picker = { items: [], active: 0, chosen: null, seq: 0, ctx: null };

function describe(plan) {
  const lines = [];
  if (plan.assignee) lines.push(plan.assignee === 'none' ? 'Unassign' : `Assign to ${plan.assignee}`);
  if (plan.priority) lines.push(`Priority → ${plan.priority}`);
  if (plan.addTags.length) lines.push(`Add tags: ${plan.addTags.join(', ')}`);
  if (plan.removeTags.length) lines.push(`Remove tags: ${plan.removeTags.join(', ')}`);
  if (plan.status) lines.push(`Status → ${plan.status.replace('_', ' ')}`);
  return lines;
}

function renderList() {
  $('macro-list').replaceChildren(...picker.items.map((m, i) => {
    const li = el('li', { role: 'option', id: `macro-${m.id}`, 'aria-selected': String(i === picker.active), 'data-id': m.id },
      el('span', { text: m.name }), el('small', { text: m.team ? ` · ${m.team}` : ' · everyone' }));
    li.addEventListener('mousedown', (e) => e.preventDefault());
    li.addEventListener('click', () => { picker.active = i; previewChosen(); });
    return li;
  }));
  $('macro-list-empty').hidden = picker.items.length > 0;
  if (picker.items.length) $('macro-search').setAttribute('aria-activedescendant', `macro-${picker.items[picker.active].id}`);
}

async function search() {
  const mine = ++picker.seq, q = $('macro-search').value.trim(), team = picker.ctx.ticket()?.team;
  const items = await api(`/api/v1/macros?q=${encodeURIComponent(q)}${team ? `&team=${encodeURIComponent(team)}` : ''}`).catch(() => []);
  if (mine !== picker.seq) return;
  picker.items = items; picker.active = 0;
  renderList();
}

async function previewChosen() {
  const macro = picker.items[picker.active];
  if (!macro) return;
  picker.chosen = macro;
  $('macro-error').textContent = '';
  $('macro-preview').hidden = false;
  $('macro-preview-name').textContent = macro.name;
  $('macro-preview-reply').textContent = 'Previewing…';
  $('macro-preview-actions').replaceChildren();
  $('macro-apply').disabled = true;
  try {
    const result = await post(`/api/v1/tickets/${picker.ctx.number()}/macros/${macro.id}?preview=true`);
    if (picker.chosen !== macro) return;
    const plan = result.plan;
    $('macro-preview-reply').textContent = plan.reply ?? '(no reply)';
    $('macro-preview-reply').classList.toggle('internal', plan.visibility === 'internal');
    $('macro-preview-kind').textContent = plan.reply ? (plan.visibility === 'internal' ? 'Internal note' : 'Reply to customer') : '';
    $('macro-preview-actions').replaceChildren(...describe(plan).map((t) => el('li', { text: t })));
    $('macro-apply').disabled = false;
    $('macro-apply').focus();
  } catch (e) {
    $('macro-preview-reply').textContent = '';
    $('macro-error').textContent = problemText(e);
  }
}

async function apply() {
  const macro = picker.chosen;
  $('macro-apply').disabled = true;
  $('macro-error').textContent = '';
  try {
    await post(`/api/v1/tickets/${picker.ctx.number()}/macros/${macro.id}?expectedVersion=${picker.ctx.version()}`);
    closePicker();
    $('composer-status').textContent = `Applied “${macro.name}”.`;
    await picker.ctx.reload();
  } catch (e) {
    $('macro-error').textContent = e.status === 409 ? 'A new reply arrived meanwhile: read it, then apply again.' : e.message;
    if (e.status === 409) await picker.ctx.reload();
  } finally { $('macro-apply').disabled = false; }
}

export function closePicker() {
  if (!$('macro-picker')) return;
  $('macro-picker').hidden = true; $('macro-preview').hidden = true; picker.chosen = null;
  $('macro-button').setAttribute('aria-expanded', 'false');
}

/** Opens the picker in the composer, the search box focused. */
export function openPicker() {
  $('macro-picker').hidden = false; $('macro-preview').hidden = true; $('macro-error').textContent = '';
  $('macro-button').setAttribute('aria-expanded', 'true');
  $('macro-search').value = '';
  $('macro-search').focus();
  search();
}

/** Wires the picker; <paramref name="ctx"/> gives the open ticket's number, version and team, and re-reads it after applying. */
export function initPicker(ctx) {
  picker.ctx = ctx;
  $('macro-button').addEventListener('click', () => ($('macro-picker').hidden ? openPicker() : closePicker()));
  let timer = null;
  $('macro-search').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 150); });
  $('macro-search').addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!picker.items.length) return;
      picker.active = Math.max(0, Math.min(picker.items.length - 1, picker.active + (e.key === 'ArrowDown' ? 1 : -1)));
      renderList(); e.preventDefault();
    } else if (e.key === 'Enter') { e.preventDefault(); previewChosen(); }
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); closePicker(); }
  });
  $('macro-apply').addEventListener('click', apply);
  $('macro-cancel').addEventListener('click', closePicker);
}

// ---------- The list/edit page (leads and admins) ----------
const macroFields = ['name', 'team', 'body', 'visibility', 'status', 'priority', 'addTags', 'removeTags', 'assignee'];

function editor(macro, teams, onSaved) {
  const input = (name, attrs = {}) => el('input', { id: `m-${name}`, ...attrs });
  const team = el('select', { id: 'm-team' }, el('option', { value: '', text: 'Everyone (global)' }), ...teams.map((t) => el('option', { value: t, text: t })));
  const visibility = el('select', { id: 'm-visibility' }, el('option', { value: 'public', text: 'Reply to customer' }), el('option', { value: 'internal', text: 'Internal note' }));
  const status = el('select', { id: 'm-status' }, el('option', { value: '', text: 'Leave as is' }));
  fillOptions(status, vocabulary.statuses.filter((s) => s.name !== 'new'));
  const priority = el('select', { id: 'm-priority' }, el('option', { value: '', text: 'Leave as is' }));
  fillOptions(priority, vocabulary.priorities);
  const row = (label, control) => el('div', { class: 'field' }, el('label', { for: control.id, text: label }), control,
    el('span', { class: 'field-error', id: `${control.id}-error`, role: 'alert' }));
  const form = el('form', { id: 'macro-form', class: 'macro-form', novalidate: true },
    el('h2', { text: macro ? `Edit “${macro.name}”` : 'New macro' }),
    row('Name', input('name', { maxlength: '80' })), row('Team', team),
    row('Reply text', el('textarea', { id: 'm-body', rows: '5', placeholder: 'Hi {{customer.firstName | "there"}}, …' })),
    el('p', { class: 'sub', text: `Variables: ${['customer.firstName', 'customer.name', 'ticket.number', 'ticket.subject', 'agent.name', 'sla.firstResponse.dueAt'].map((v) => `{{${v}}}`).join(' ')} … — a fallback: {{customer.firstName | "there"}}` }),
    row('Write it as', visibility), row('Status', status), row('Priority', priority),
    row('Add tags', input('addTags', { placeholder: 'comma separated' })), row('Remove tags', input('removeTags', { placeholder: 'comma separated' })),
    row('Assignee', input('assignee', { placeholder: 'me, none or an agent e-mail' })),
    el('p', { id: 'm-error', class: 'field-error', role: 'alert' }),
    el('div', { class: 'dialog-foot' }, el('button', { type: 'button', id: 'm-cancel', text: 'Cancel' }), el('button', { type: 'submit', id: 'm-save', class: 'primary', text: 'Save' })));
  const fill = () => {
    if (!macro) return;
    $('m-name').value = macro.name; $('m-team').value = macro.team ?? ''; $('m-body').value = macro.body ?? '';
    $('m-visibility').value = macro.visibility; $('m-status').value = macro.status ?? ''; $('m-priority').value = macro.priority ?? '';
    $('m-addTags').value = macro.addTags.join(', '); $('m-removeTags').value = macro.removeTags.join(', '); $('m-assignee').value = macro.assignee ?? '';
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const x of form.querySelectorAll('.field-error')) x.textContent = '';
    const tags = (v) => v.split(/[\s,]+/).filter(Boolean);
    const body = {
      name: $('m-name').value, team: $('m-team').value || null, body: $('m-body').value || null, visibility: $('m-visibility').value,
      status: $('m-status').value || null, priority: $('m-priority').value || null, addTags: tags($('m-addTags').value),
      removeTags: tags($('m-removeTags').value), assignee: $('m-assignee').value.trim() || null,
    };
    try {
      if (macro) await api(`/api/v1/macros/${macro.id}`, { method: 'PUT', body: JSON.stringify(body) });
      else await post('/api/v1/macros', body);
      onSaved();
    } catch (err) {
      if (err.body?.errors) for (const [key, messages] of Object.entries(err.body.errors)) {
        const target = macroFields.includes(key) ? $(`m-${key}-error`) : $('m-error');
        target.textContent = [target.textContent, ...messages].filter(Boolean).join(' ');
      } else $('m-error').textContent = err.message;
    }
  });
  return { form, fill };
}

/** Renders #/admin/macros into #macros: every macro the lead or admin may manage, with its use count, and the editor. */
export async function showMacros(ctx) {
  const root = $('macros');
  if (ctx.me.role !== 'lead' && ctx.me.role !== 'admin') { root.replaceChildren(el('p', { class: 'empty', text: 'Macros are managed by leads and admins.' })); return; }
  const items = await api('/api/v1/macros');
  const open = (macro) => {
    const { form, fill } = editor(macro, ctx.teams, () => showMacros(ctx));
    root.querySelector('.macro-form')?.remove();
    root.append(form); fill();
    $('m-cancel').addEventListener('click', () => form.remove());
    $('m-name').focus();
  };
  const rows = items.map((m) => el('tr', { 'data-id': m.id },
    el('td', {}, el('strong', { text: m.name })), el('td', { text: m.team ?? 'everyone' }),
    el('td', { class: 'reply', text: m.body ?? '—' }), el('td', { class: 'num', text: String(m.usageCount) }),
    el('td', {}, el('button', { type: 'button', class: 'link edit', text: 'Edit' }), ' ', el('button', { type: 'button', class: 'link delete', text: 'Delete' }))));
  items.forEach((m, i) => {
    rows[i].querySelector('.edit').addEventListener('click', () => open(m));
    rows[i].querySelector('.delete').addEventListener('click', async () => {
      if (!confirm(`Delete the macro “${m.name}”?`)) return;
      await api(`/api/v1/macros/${m.id}`, { method: 'DELETE' }); showMacros(ctx);
    });
  });
  const add = el('button', { type: 'button', id: 'macro-new', class: 'primary', text: 'New macro' });
  add.addEventListener('click', () => open(null));
  root.replaceChildren(el('div', { class: 'report-head' }, el('h1', { text: 'Macros' }), add),
    items.length
      ? el('table', { class: 'macro-table' }, el('thead', {}, el('tr', {}, ...['Name', 'For', 'Reply', 'Used', ''].map((h) => el('th', { scope: 'col', text: h })))), el('tbody', {}, ...rows))
      : el('p', { class: 'empty', text: 'No macros yet.' }));
}
