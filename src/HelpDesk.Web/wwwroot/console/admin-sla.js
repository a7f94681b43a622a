// SLA policies (#/admin/sla-policies): the policies in the order they are tried, an editor whose Save is offered only after
// a preview of what the save would do to open tickets (POST …/preview, the recomputation as a dry run), and a simulator
// panel running `helpdesk sla simulate` (POST /api/v1/sla/simulate) on a typed scenario or one taken from a ticket.
// Leads see the list and the simulator; editing is for admins (docs/console.md, "Admin: SLA policies").
import { api, el, fmtDuration, fmtTime, parseIsoDuration, plural, post, problemText } from './lib.js';

const priorities = ['urgent', 'high', 'normal', 'low'];
const metrics = [['firstResponse', 'First response'], ['nextReply', 'Next reply'], ['resolution', 'Resolution']];
const list = (words) => (words ?? []).join(', ');
/** Listens on an element built by el() (attributes there are text: handlers go through here), and returns it. */
const on = (e, type, fn) => { e.addEventListener(type, fn); return e; };
const words = (text) => text.split(',').map((w) => w.trim()).filter(Boolean);

/** "2h 00m earlier" from the preview's ISO shift ("-PT2H"). */
const fmtShift = (shift) => shift === null ? '—'
  : shift.startsWith('-') ? `${fmtDuration(parseIsoDuration(shift.slice(1)))} earlier` : `${fmtDuration(parseIsoDuration(shift))} later`;

function conditionsText(c) {
  const parts = [['priority', c?.priorities], ['team', c?.teams], ['channel', c?.channels], ['tag', c?.tags], ['organisation', c?.organisations]]
    .filter(([, v]) => v?.length).map(([k, v]) => `${k} ${v.join(' or ')}`);
  return parts.length ? parts.join('; ') : 'every ticket';
}

export async function show(root, ctx) {
  const [policies, calendars] = await Promise.all([api('/api/v1/sla-policies'), api('/api/v1/calendars')]);
  const editor = el('section', { id: 'sla-editor', 'aria-label': 'Edit a policy' });
  const table = policies.length === 0
    ? el('p', { class: 'empty', text: 'There are no SLA policies yet: tickets have no clocks until one matches.' })
    : el('div', { class: 'table-scroll' }, el('table', { class: 'data admin-table', id: 'sla-list' },
      el('thead', {}, el('tr', {}, ...['Order', 'Policy', 'Applies to', 'Calendar', ...priorities, ''].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...policies.sort((a, b) => a.body.position - b.body.position || a.name.localeCompare(b.name)).map((p) =>
        el('tr', { 'data-policy': p.name },
          el('td', { text: String(p.body.position) }),
          el('td', {}, el('b', { text: p.name }), p.body.active ? '' : el('span', { class: 'sub', text: ' (inactive)' }), el('div', { class: 'sub', text: `version ${p.version}` })),
          el('td', { text: conditionsText(p.body.conditions) }),
          el('td', { text: p.body.calendar }),
          ...priorities.map((pr) => el('td', { class: 'sla-targets', text: metrics.map(([m, label]) => p.body.targets?.[pr]?.[m] ? `${label}: ${p.body.targets[pr][m]}` : null).filter(Boolean).join(' · ') || '—' })),
          el('td', {}, ctx.readOnly ? '' : on(el('button', { type: 'button', class: 'sla-edit', text: 'Edit', 'aria-label': `Edit ${p.name}` }), 'click', () => edit(editor, p, calendars))))))));
  root.replaceChildren(
    el('h2', { text: 'SLA policies' }),
    el('p', { class: 'sub', text: 'A ticket gets the first active policy (lowest order) whose conditions it matches.' }),
    table,
    ctx.readOnly ? el('p', { class: 'sub', text: 'Team leads see the policies; admins change them.' })
      : on(el('button', { type: 'button', id: 'sla-new', text: 'New policy' }), 'click', () => edit(editor, null, calendars)),
    editor,
    simulator(ctx));
}

/** The editor: Save is enabled only after a preview of exactly the form's current content. */
function edit(root, policy, calendars) {
  const body = policy?.body ?? { position: 100, calendar: calendars[0]?.name ?? '', conditions: {}, targets: {}, warnAtPercent: [75, 90], pauseOn: ['pending', 'on_hold'], active: true };
  const input = (id, label, value, attrs = {}) => el('label', { for: id }, label, el('input', { id, value: value ?? '', ...attrs }));
  const name = input('sla-name', 'Name', policy?.name, policy ? { readonly: true } : { required: true, pattern: '[A-Za-z0-9_.-]+' });
  const position = input('sla-position', 'Order', String(body.position), { type: 'number', min: '0' });
  const calendar = el('select', { id: 'sla-calendar' }, ...calendars.map((c) => el('option', { value: c.name, text: c.name, selected: c.name === body.calendar })));
  const cond = Object.fromEntries(['priorities', 'teams', 'channels', 'tags', 'organisations'].map((k) =>
    [k, el('input', { id: `sla-cond-${k}`, value: list(body.conditions?.[k]), placeholder: 'any' })]));
  const targetInputs = priorities.map((pr) => el('tr', {}, el('th', { scope: 'row', text: pr }), ...metrics.map(([m, label]) =>
    el('td', {}, el('input', { id: `sla-t-${pr}-${m}`, value: body.targets?.[pr]?.[m] ?? '', placeholder: 'e.g. PT4H', 'aria-label': `${label} target for ${pr}`, size: 8 })))));
  const warn = input('sla-warn', 'Warn at (%)', list(body.warnAtPercent));
  const pause = input('sla-pause', 'Pause on statuses', list(body.pauseOn));
  const active = el('input', { id: 'sla-active', type: 'checkbox', checked: body.active });
  const result = el('div', { id: 'sla-preview', 'aria-live': 'polite' });
  const error = el('p', { id: 'sla-error', class: 'error', role: 'alert', hidden: true });
  const previewButton = el('button', { type: 'button', id: 'sla-preview-run', text: 'Preview changes' });
  const save = el('button', { type: 'button', id: 'sla-save', class: 'primary', text: 'Save', disabled: true, title: 'Preview first' });
  let previewed = null;

  const read = () => ({
    position: Number(position.querySelector('input').value), calendar: calendar.value, active: active.checked,
    conditions: Object.fromEntries(Object.entries(cond).map(([k, i]) => [k, words(i.value)])),
    targets: Object.fromEntries(priorities.map((pr) => [pr, Object.fromEntries(metrics.map(([m]) => [m, document.getElementById(`sla-t-${pr}-${m}`).value.trim() || null]))])
      .filter(([, t]) => Object.values(t).some(Boolean))),
    warnAtPercent: words(warn.querySelector('input').value).map(Number), pauseOn: words(pause.querySelector('input').value),
  });
  const target = () => encodeURIComponent(name.querySelector('input').value.trim());
  const ifMatch = policy ? { 'If-Match': `"${policy.version}"` } : {};
  const fail = (e) => { error.textContent = problemText(e); error.hidden = false; };
  const form = el('form', { class: 'sla-form' },
    el('h3', { text: policy ? `Edit ${policy.name} (version ${policy.version})` : 'New policy' }),
    el('div', { class: 'sla-fields' }, name, position, el('label', { for: 'sla-calendar' }, 'Calendar', calendar),
      el('label', { for: 'sla-active', class: 'check' }, active, ' Active')),
    el('fieldset', {}, el('legend', { text: 'Applies to (comma-separated; empty is any)' }),
      el('div', { class: 'sla-fields' }, ...Object.entries(cond).map(([k, i]) => el('label', { for: i.id }, k, i)))),
    el('div', { class: 'table-scroll' }, el('table', { class: 'data admin-table sla-target-table' }, el('caption', { text: 'Targets in business time (ISO-8601: PT4H, PT30M, P2D)' }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Priority' }), ...metrics.map(([, label]) => el('th', { scope: 'col', text: label })))),
      el('tbody', {}, ...targetInputs))),
    el('div', { class: 'sla-fields' }, warn, pause),
    el('div', { class: 'actions' }, previewButton, save), error, result);

  form.addEventListener('submit', (e) => e.preventDefault());
  // Any change after a preview withdraws Save until the new content is previewed.
  form.addEventListener('input', () => { previewed = null; save.disabled = true; save.title = 'Preview first'; });
  previewButton.addEventListener('click', async () => {
    error.hidden = true; previewButton.disabled = true;
    const request = read();
    try {
      const preview = await api(`/api/v1/sla-policies/${target()}/preview`, { method: 'POST', body: JSON.stringify(request), headers: ifMatch });
      result.replaceChildren(previewTable(preview));
      previewed = JSON.stringify(request); save.disabled = false; save.title = '';
    } catch (e) { fail(e); result.replaceChildren(); } finally { previewButton.disabled = false; }
  });
  save.addEventListener('click', async () => {
    const request = read();
    if (JSON.stringify(request) !== previewed) { save.disabled = true; return; }
    error.hidden = true; save.disabled = true;
    try {
      const saved = await api(`/api/v1/sla-policies/${target()}`, { method: 'PUT', body: JSON.stringify(request), headers: ifMatch });
      result.replaceChildren(el('p', { class: 'ok', role: 'status', text: `Saved ${saved.name} version ${saved.version}; ${plural(saved.ticketsRecomputed, 'open ticket')} recomputed.` }));
      location.hash = '#/admin/sla-policies?saved=' + encodeURIComponent(saved.name);
    } catch (e) { fail(e); save.disabled = false; }
  });
  root.replaceChildren(form);
  form.querySelector('input:not([readonly])')?.focus();
}

function previewTable(preview) {
  if (preview.tickets.length === 0)
    return el('p', { class: 'empty', text: `No open ticket changes (${plural(preview.examined, 'open ticket')} checked).` });
  const state = (a, b) => a === b ? (a ?? '—') : `${a ?? '—'} → ${b ?? '—'}`;
  return el('div', {},
    el('p', { id: 'sla-preview-summary', text: `${plural(preview.tickets.length, 'open ticket')} of ${preview.examined} would change:` }),
    el('div', { class: 'table-scroll' }, el('table', { class: 'data admin-table', id: 'sla-preview-list' },
      el('thead', {}, el('tr', {}, ...['Ticket', 'Policy', 'Clock', 'State', 'Due now', 'Due after', 'Moves'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...preview.tickets.flatMap((t) => (t.clocks.length ? t.clocks : [null]).map((c, i) => el('tr', { 'data-ticket': t.number },
        el('td', {}, i === 0 ? el('a', { href: `#/ticket/${t.number}`, text: `#${t.number} ${t.subject}` }) : ''),
        el('td', { text: i === 0 ? state(t.policyBefore, t.policyAfter) : '' }),
        el('td', { text: c ? `${c.metric}${c.cycle > 1 ? ` (${c.cycle})` : ''}` : '—' }),
        el('td', { class: 'sla-state', text: c ? state(c.stateBefore, c.stateAfter) : '—' }),
        el('td', { text: fmtTime(c?.dueBefore) }),
        el('td', { text: fmtTime(c?.dueAfter) }),
        el('td', { class: 'sla-shift', text: c ? fmtShift(c.shift) : '—' }))))))));
}

/** `helpdesk sla simulate` in the browser: a scenario typed, or taken from a ticket, and its clocks. */
function simulator() {
  const scenario = el('textarea', { id: 'sim-scenario', rows: 10, spellcheck: false, 'aria-label': 'Scenario (JSON)',
    placeholder: '{"calendar": "24/7", "policy": {"targets": {"normal": {"firstResponse": "PT4H"}}}, "events": [{"type": "created", "at": "2026-03-02T08:00:00Z", "priority": "normal"}], "now": "2026-03-02T10:00:00Z"}' });
  const ticket = el('input', { id: 'sim-ticket', type: 'number', min: '1', placeholder: 'Ticket #', 'aria-label': 'Ticket number' });
  const error = el('p', { id: 'sim-error', class: 'error', role: 'alert', hidden: true });
  const out = el('div', { id: 'sim-result', 'aria-live': 'polite' });
  const fail = (e) => { error.textContent = problemText(e); error.hidden = false; };
  const load = on(el('button', { type: 'button', id: 'sim-load', text: 'Take from ticket' }), 'click', async () => {
    error.hidden = true;
    try {
      const s = await api(`/api/v1/tickets/${Number(ticket.value)}/sla/scenario`);
      scenario.value = JSON.stringify(s, null, 2);
    } catch (e) { fail(e); }
  });
  const run = on(el('button', { type: 'button', id: 'sim-run', text: 'Simulate' }), 'click', async () => {
    error.hidden = true;
    try {
      JSON.parse(scenario.value);
    } catch { fail({ message: 'The scenario is not JSON.' }); return; }
    try {
      const report = await api('/api/v1/sla/simulate', { method: 'POST', body: scenario.value });
      out.replaceChildren(report.clocks.length === 0 ? el('p', { class: 'empty', text: 'No clock runs in this scenario.' })
        : el('div', { class: 'table-scroll' }, el('table', { class: 'data admin-table', id: 'sim-clocks' },
          el('thead', {}, el('tr', {}, ...['Clock', 'State', 'Target', 'Counted', 'Due', 'Breached'].map((h) => el('th', { scope: 'col', text: h })))),
          el('tbody', {}, ...report.clocks.map((c) => el('tr', {},
            el('td', { text: `${c.metric}${c.cycle > 1 ? ` (${c.cycle})` : ''}` }), el('td', { text: c.state }), el('td', { text: c.target }),
            el('td', { text: c.counted }), el('td', { text: fmtTime(c.dueAt) }), el('td', { text: fmtTime(c.breachedAt) })))))));
    } catch (e) { fail(e); }
  });
  return el('section', { id: 'sla-simulator', 'aria-labelledby': 'sim-title' },
    el('h3', { id: 'sim-title', text: 'Simulator' }),
    el('p', { class: 'sub', text: 'Runs the SLA engine on a scenario (the input of helpdesk sla simulate); nothing is stored.' }),
    el('div', { class: 'actions' }, ticket, load), scenario, el('div', { class: 'actions' }, run), error, out);
}
