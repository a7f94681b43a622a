// The audit log (#/admin/audit?action=…&actor=…&target=…&from=YYYY-MM-DD&to=YYYY-MM-DD&page=N): newest first, filtered and
// paged in the URL, each row's before/after in a disclosure (as text), and a CSV link with the same filters
// (GET /api/v1/audit-log, ?format=csv). The period is in local dates, inclusive, sent as instants.
import { el, api, fmtTime } from './lib.js';

const pageSize = 50;
// The actions the server writes, by area (docs/security.md "Audit log"); a prefix ending in '.' matches the whole area.
const areas = [['', 'Every action'], ['agent.', 'Agents'], ['team.', 'Teams'], ['password.', 'Passwords'], ['sign_in.', 'Sign-ins'], ['token.', 'API tokens'],
  ['invite.', 'Invitations'], ['password_reset.', 'Password resets'], ['mailbox.', 'Mailboxes'], ['outbox.', 'Outbox'], ['calendar.', 'Calendars'],
  ['sla_policy.', 'SLA policies'], ['escalation_rule.', 'Escalation rules'], ['survey_settings.', 'Survey settings']];

// A local date (YYYY-MM-DD) as the instant its day starts (plus <paramref name="days"/>) in the browser's zone.
const instant = (date, days = 0) => { const [y, m, d] = date.split('-').map(Number); return new Date(y, m - 1, d + days).toISOString(); };

function go(values) {
  const q = new URLSearchParams(Object.entries(values).filter(([, v]) => v));
  location.hash = `#/admin/audit${q.size ? `?${q}` : ''}`;
}

function changes(row) {
  if (!row.before && !row.after) return el('span', { class: 'sub', text: '—' });
  const pretty = (json) => { try { return JSON.stringify(JSON.parse(json), null, 2); } catch { return json; } };
  return el('details', {}, el('summary', { text: row.before && row.after ? 'before / after' : row.after ? 'details' : 'before' }),
    el('div', { class: 'audit-diff' },
      row.before ? el('div', {}, el('div', { class: 'sub', text: 'Before' }), el('pre', { text: pretty(row.before) })) : null,
      row.after ? el('div', {}, el('div', { class: 'sub', text: 'After' }), el('pre', { text: pretty(row.after) })) : null));
}

export async function show(root, ctx) {
  const p = ctx.params;
  const filter = { action: p.get('action') || '', actor: p.get('actor') || '', target: p.get('target') || '', from: p.get('from') || '', to: p.get('to') || '' };
  const pageNo = Math.max(1, Number(p.get('page')) || 1);
  const query = new URLSearchParams(Object.entries({
    action: filter.action, actor: filter.actor, target: filter.target,
    from: filter.from ? instant(filter.from) : '', to: filter.to ? instant(filter.to, 1) : '',
  }).filter(([, v]) => v));
  const result = await api(`/api/v1/audit-log?${query}&page=${pageNo}&pageSize=${pageSize}`);

  const known = areas.some(([v]) => v === filter.action);
  const action = el('select', { id: 'au-action' }, ...areas.map(([v, l]) => el('option', { value: v, text: l })),
    known ? null : el('option', { value: filter.action, text: filter.action }));
  action.value = filter.action;
  const input = (id, value, attrs = {}) => el('input', { id: `au-${id}`, value, ...attrs });
  const actor = input('actor', filter.actor, { type: 'search', placeholder: 'e-mail', size: '16' });
  const target = input('target', filter.target, { type: 'search', placeholder: 'e-mail, name or id', size: '16' });
  const from = input('from', filter.from, { type: 'date' }), to = input('to', filter.to, { type: 'date' });
  const csv = el('a', { class: 'csv', id: 'au-csv', href: `/api/v1/audit-log?${query}${query.size ? '&' : ''}format=csv`, download: '', text: 'Download CSV' });
  const form = el('form', { class: 'report-filters', role: 'search', 'aria-label': 'Audit log filter' },
    el('label', { text: 'Action ' }, action), el('label', { text: 'By ' }, actor), el('label', { text: 'On ' }, target),
    el('label', { text: 'From ' }, from), el('label', { text: 'To ' }, to), el('button', { type: 'submit', text: 'Filter' }), csv);
  const apply = () => go({ action: action.value, actor: actor.value.trim(), target: target.value.trim(), from: from.value, to: to.value });
  form.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
  action.addEventListener('change', apply);

  const pages = Math.max(1, Math.ceil(result.total / pageSize));
  const pager = el('div', { class: 'admin-pager' }, el('span', { class: 'sub', id: 'au-count', text: result.total ? `Page ${pageNo} of ${pages} · ${result.total} ${result.total === 1 ? 'entry' : 'entries'}` : '' }));
  if (pageNo > 1) { const b = el('button', { type: 'button', id: 'au-prev', text: '← Newer' }); b.addEventListener('click', () => go({ ...filter, page: String(pageNo - 1) })); pager.append(b); }
  if (pageNo < pages) { const b = el('button', { type: 'button', id: 'au-next', text: 'Older →' }); b.addEventListener('click', () => go({ ...filter, page: String(pageNo + 1) })); pager.append(b); }
  const filtered = Object.values(filter).some(Boolean);
  root.replaceChildren(el('div', { class: 'report-head' }, el('h1', { text: 'Audit log' }), el('span', { class: 'sub', text: 'Append-only; every admin action and security event.' })),
    form,
    result.items.length
      ? el('table', { class: 'macro-table admin-table', id: 'au-list' },
        el('thead', {}, el('tr', {}, ...['When', 'Action', 'By', 'On', 'Change'].map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, ...result.items.map((r) => el('tr', { 'data-action': r.action },
          el('td', { 'data-label': 'When' }, el('time', { datetime: r.at, text: fmtTime(r.at) })),
          el('td', { 'data-label': 'Action' }, el('code', { text: r.action })),
          el('td', { 'data-label': 'By', text: r.actor ?? 'system' }),
          el('td', { 'data-label': 'On', class: 'audit-target', text: r.target }),
          el('td', { 'data-label': 'Change' }, changes(r))))))
      : el('p', { class: 'empty', id: 'au-empty', text: filtered ? 'No entries match these filters.' : 'The audit log is empty.' }),
    pager);
}
