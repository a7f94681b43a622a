// The outbox (#/admin/outbox?state=…&kind=…&ticket=…&to=…&offset=…): outgoing mail newest first, filtered and paged in
// the URL; a mail opened shows its headers and text (as text: never parsed as HTML); a failed or waiting one can be retried
// now or cancelled, the answer beside its buttons (GET/POST /api/v1/mail/outbox…).
import { el, api, post, fmtTime, plural, problemText } from './lib.js';

const pageSize = 50;
const states = [['', 'All states'], ['pending', 'Waiting'], ['failed', 'Failed'], ['sent', 'Sent'], ['cancelled', 'Cancelled']];
const stateLabel = (s) => states.find(([v]) => v === s)?.[1] ?? s;

function go(params) {
  const q = new URLSearchParams([...params].filter(([, v]) => v));
  location.hash = `#/admin/outbox${q.size ? `?${q}` : ''}`;
}

async function detail(panel, id) {
  panel.replaceChildren(el('p', { class: 'sub', text: 'Loading…' }));
  try {
    const d = await api(`/api/v1/mail/outbox/${id}`);
    const m = d.mail;
    const close = el('button', { type: 'button', id: 'ob-close', text: 'Close' });
    close.addEventListener('click', () => panel.replaceChildren());
    const rows = [['To', m.to], ['Cc', m.cc], ['Subject', m.subject], ['Kind', m.kind], ['State', stateLabel(m.state)], ['Attempts', String(m.attempts)],
      ['Created', fmtTime(m.createdAt)], ['Sent', m.sentAt ? fmtTime(m.sentAt) : null], ['Last error', m.lastError], ['Message-ID', d.messageId], ['In-Reply-To', d.inReplyTo]]
      .filter(([, v]) => v);
    panel.replaceChildren(el('section', { class: 'macro-form ob-detail', id: 'ob-detail', 'aria-label': 'Outgoing mail' },
      el('h2', { text: m.subject }),
      el('dl', { class: 'ob-headers' }, ...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])),
      el('pre', { class: 'ob-body', id: 'ob-body', text: d.bodyText }),
      el('div', { class: 'dialog-foot' }, close)));
    close.focus();
  } catch (e) { panel.replaceChildren(el('p', { class: 'error', role: 'alert', text: problemText(e) })); }
}

export async function show(root, ctx) {
  const params = ctx.params;
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const filter = { state: params.get('state') || '', kind: params.get('kind') || '', ticket: params.get('ticket') || '', to: params.get('to') || '' };
  const q = new URLSearchParams([...Object.entries(filter).filter(([, v]) => v), ['offset', String(offset)], ['limit', String(pageSize)]]);
  const page = await api(`/api/v1/mail/outbox?${q}`);

  const state = el('select', { id: 'ob-state' }, ...states.map(([v, l]) => el('option', { value: v, text: l })));
  state.value = filter.state;
  const kind = el('input', { id: 'ob-kind', value: filter.kind, placeholder: 'reply, survey…', size: '10' });
  const ticket = el('input', { id: 'ob-ticket', type: 'number', min: '1', value: filter.ticket, size: '6' });
  const to = el('input', { id: 'ob-to', type: 'search', value: filter.to, placeholder: 'address' });
  const filters = el('form', { class: 'report-filters', role: 'search', 'aria-label': 'Outbox filter' },
    el('label', { text: 'State ' }, state), el('label', { text: 'Kind ' }, kind), el('label', { text: 'Ticket ' }, ticket), el('label', { text: 'To ' }, to),
    el('button', { type: 'submit', text: 'Filter' }));
  const apply = () => go(new URLSearchParams({ state: state.value, kind: kind.value.trim(), ticket: ticket.value, to: to.value.trim() }));
  filters.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
  state.addEventListener('change', apply);

  const panel = el('div', { id: 'ob-panel' });
  const rows = page.items.map((m) => {
    const result = el('span', { class: 'action-error', role: 'alert' });
    const actions = el('td', { class: 'admin-actions', 'data-label': '' });
    const view = el('button', { type: 'button', class: 'link view', text: 'View' });
    view.addEventListener('click', () => detail(panel, m.id));
    actions.append(view);
    const stateCell = el('td', { 'data-label': 'State', class: 'ob-state' }, el('span', { class: `pill ob-${m.state}`, text: stateLabel(m.state) }));
    if (!ctx.readOnly && (m.state === 'failed' || m.state === 'pending')) {
      const retry = el('button', { type: 'button', class: 'link retry', text: m.state === 'failed' ? 'Retry' : 'Send now' });
      const cancel = el('button', { type: 'button', class: 'link cancel', text: 'Cancel' });
      const act = async (button, path, done) => {
        result.textContent = ''; result.className = 'action-error';
        retry.disabled = cancel.disabled = true;
        try {
          const after = await post(path);
          stateCell.replaceChildren(el('span', { class: `pill ob-${after.state}`, text: stateLabel(after.state) }));
          result.className = 'sub'; result.textContent = done;
          if (after.state === 'cancelled') { retry.remove(); cancel.remove(); } else retry.disabled = cancel.disabled = false;
        } catch (e) { result.textContent = e.body?.detail ?? e.message; retry.disabled = cancel.disabled = false; }
      };
      retry.addEventListener('click', () => act(retry, `/api/v1/mail/outbox/${m.id}/retry`, 'Queued: it is sent on the next pass.'));
      cancel.addEventListener('click', () => act(cancel, `/api/v1/mail/outbox/${m.id}/cancel`, 'Cancelled: it will not be sent.'));
      actions.append(' ', retry, ' ', cancel);
    }
    actions.append(result);
    return el('tr', { 'data-id': m.id, 'data-state': m.state },
      el('td', { 'data-label': 'Created' }, el('time', { datetime: m.createdAt, text: fmtTime(m.createdAt) })),
      el('td', { 'data-label': 'To', class: 'ob-to', text: m.to }),
      el('td', { 'data-label': 'Subject', class: 'ob-subject' }, el('span', { text: m.subject }), el('div', { class: 'sub', text: m.kind + (m.isAutomatic ? ' · automatic' : '') })),
      el('td', { 'data-label': 'Ticket' }, m.ticket ? el('a', { href: `#/ticket/${m.ticket}`, text: `#${m.ticket}` }) : '—'),
      stateCell,
      el('td', { 'data-label': 'Attempts', class: 'num' }, String(m.attempts), m.lastError ? el('div', { class: 'error ob-error', text: m.lastError }) : null),
      actions);
  });
  const pager = el('div', { class: 'admin-pager' }, el('span', { class: 'sub', id: 'ob-count', text: page.total
    ? `Showing ${offset + 1}–${offset + page.items.length} of ${page.total}` : '' }));
  const to2 = (o) => go(new URLSearchParams({ ...filter, offset: o ? String(o) : '' }));
  if (offset > 0) { const b = el('button', { type: 'button', id: 'ob-prev', text: '← Newer' }); b.addEventListener('click', () => to2(Math.max(0, offset - pageSize))); pager.append(b); }
  if (offset + page.items.length < page.total) { const b = el('button', { type: 'button', id: 'ob-next', text: 'Older →' }); b.addEventListener('click', () => to2(offset + pageSize)); pager.append(b); }
  const filtered = Object.values(filter).some(Boolean);
  root.replaceChildren(el('div', { class: 'report-head' }, el('h1', { text: 'Outbox' })), filters, panel,
    page.items.length
      ? el('table', { class: 'macro-table admin-table', id: 'ob-list' },
        el('caption', { class: 'sub', text: `${plural(page.total, 'mail')}${filtered ? ' matching' : ''}, newest first` }),
        el('thead', {}, el('tr', {}, ...['Created', 'To', 'Subject', 'Ticket', 'State', 'Attempts', ''].map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, ...rows))
      : el('p', { class: 'empty', id: 'ob-empty', text: filtered ? 'No outgoing mail matches these filters.' : 'No outgoing mail yet.' }),
    pager);
}
