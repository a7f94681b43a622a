// The admins' mail quarantine (#/admin/quarantine?reason=…): why each message failed, reprocess or discard a selection,
// each message's result beside its row. A message without a usable sender takes an address from the admin, sent with
// the reprocess (docs/email.md, "Quarantine triage"). The list is read again only when asked: results stay visible.
import { $, el, api, post, fmtTime, plural, vocabulary } from './lib.js';

const reasonLabel = (code) => vocabulary.quarantineReasons.find((r) => r.name === code)?.label ?? code;
const fmtSize = (n) => n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`;
let generation = 0;

/** Renders the quarantine into #quarantine for <paramref name="params"/> (the hash's query: reason). */
export async function showQuarantine(params, ctx) {
  const root = $('quarantine');
  const reason = params.get('reason') || '';
  if (ctx.me.role !== 'admin') { root.replaceChildren(el('p', { class: 'empty', text: 'The mail quarantine is for admins.' })); return; }
  const mine = ++generation;
  const filter = el('select', { id: 'q-reason' }, el('option', { value: '', text: 'All reasons' }),
    ...vocabulary.quarantineReasons.map((r) => el('option', { value: r.name, text: r.label })));
  filter.value = reason;
  filter.addEventListener('change', () => { location.hash = filter.value ? `#/admin/quarantine?reason=${encodeURIComponent(filter.value)}` : '#/admin/quarantine'; });
  const status = el('p', { id: 'q-status', role: 'status', 'aria-live': 'polite' });
  root.replaceChildren(el('div', { class: 'report-head' }, el('h1', { text: 'Mail quarantine' })),
    el('div', { class: 'report-filters', role: 'group', 'aria-label': 'Quarantine filter' }, el('label', { text: 'Reason ' }, filter),
      el('button', { type: 'button', id: 'q-reload', text: 'Reload' })),
    status, el('p', { text: 'Loading…', class: 'sub' }));
  $('q-reload').addEventListener('click', () => showQuarantine(params, ctx).catch(console.error));
  let items;
  try {
    items = await api(`/api/v1/mail/quarantine?limit=500${reason ? `&reason=${encodeURIComponent(reason)}` : ''}`);
  } catch (e) { status.replaceChildren(el('span', { class: 'error', text: e.message })); root.lastChild.remove(); return; }
  if (mine !== generation) return;
  if (items.length === 0) {
    root.lastChild.replaceWith(el('p', { class: 'empty', id: 'q-empty', text: reason ? `No quarantined mail for “${reasonLabel(reason)}”.` : 'No quarantined mail. Every message that arrived was processed.' }));
    return;
  }
  const all = el('input', { type: 'checkbox', id: 'q-all' });
  const rows = items.map((m) => row(m));
  const reprocess = el('button', { type: 'button', id: 'q-reprocess', class: 'primary', text: 'Reprocess selected', disabled: true });
  const discard = el('button', { type: 'button', id: 'q-discard', text: 'Discard selected', disabled: true });
  const boxes = () => rows.map((r) => r.box).filter((b) => !b.disabled);
  const refresh = () => {
    const n = boxes().filter((b) => b.checked).length;
    reprocess.disabled = discard.disabled = n === 0;
    reprocess.textContent = n ? `Reprocess selected (${n})` : 'Reprocess selected';
    all.checked = n > 0 && n === boxes().length;
  };
  all.addEventListener('change', () => { for (const b of boxes()) b.checked = all.checked; refresh(); });
  for (const r of rows) r.box.addEventListener('change', refresh);

  async function run(button, path, body) {
    const chosen = rows.filter((r) => r.box.checked && !r.box.disabled);
    reprocess.disabled = discard.disabled = true;
    status.textContent = `${button.textContent.replace(/ \(\d+\)$/, '')}: ${plural(chosen.length, 'message')}…`;
    try {
      const results = await post(path, body(chosen));
      const byId = new Map(results.map((x) => [x.id, x]));
      for (const r of chosen) show(r, byId.get(r.item.id));
      const counts = {};
      for (const x of results) counts[x.outcome] = (counts[x.outcome] || 0) + 1;
      status.textContent = Object.entries(counts).map(([k, v]) => `${v} ${k.replace(/_/g, ' ')}`).join(', ');
    } catch (e) {
      const fields = e.body?.errors ? Object.entries(e.body.errors).map(([k, v]) => `${k}: ${v.join(' ')}`).join('; ') : '';
      status.replaceChildren(el('span', { class: 'error', text: fields || e.message }));
      // A refused sender names its message: the field says which.
      for (const r of chosen) if (e.body?.errors?.[`senders.${r.item.id}`]) r.sender?.setAttribute('aria-invalid', 'true');
    }
    refresh();
  }
  reprocess.addEventListener('click', () => run(reprocess, '/api/v1/mail/quarantine/reprocess', (chosen) => {
    const senders = {};
    for (const r of chosen) if (r.sender?.value.trim()) senders[r.item.id] = r.sender.value.trim();
    return { ids: chosen.map((r) => r.item.id), senders };
  }));
  discard.addEventListener('click', () => run(discard, '/api/v1/mail/quarantine/discard', (chosen) => ({ ids: chosen.map((r) => r.item.id) })));

  const table = el('table', { class: 'data quarantine-list', id: 'q-list' },
    el('caption', { text: `${plural(items.length, 'quarantined message')}, newest first` }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, el('label', { class: 'q-all' }, all, el('span', { text: 'Select all' }))), ...['Received', 'From', 'Subject', 'Reason', 'Size', 'Result'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...rows.map((r) => r.tr)));
  root.lastChild.replaceWith(el('div', { class: 'q-actions', role: 'group', 'aria-label': 'With the selected messages' }, reprocess, discard,
    el('span', { class: 'sub', text: 'Discarded messages leave the list; their raw bytes are kept.' })), table);
}

function row(m) {
  const box = el('input', { type: 'checkbox', 'aria-label': `Select “${m.subject ?? m.messageId}”` });
  const sender = m.reasonCode === 'no_sender'
    ? el('input', { type: 'email', class: 'q-sender', placeholder: 'sender address', 'aria-label': `Sender address for “${m.subject ?? m.messageId}”`, value: m.senderFix ?? '' })
    : null;
  const result = el('td', { class: 'q-result', 'data-label': 'Result', 'aria-live': 'polite' });
  const tr = el('tr', { 'data-id': m.id, 'data-reason': m.reasonCode },
    el('td', {}, box),
    el('td', { 'data-label': 'Received' }, el('time', { datetime: m.receivedAt, text: fmtTime(m.receivedAt) })),
    el('td', { 'data-label': 'From', class: 'q-from' }, m.from ? el('span', { text: m.from }) : el('span', { class: 'sub', text: 'none' }), sender),
    el('td', { 'data-label': 'Subject', class: 'q-subject', text: m.subject ?? '(no subject)' }),
    el('td', { 'data-label': 'Reason', class: 'q-reason' }, el('b', { text: reasonLabel(m.reasonCode) }),
      el('details', {}, el('summary', { text: 'detail' }), el('span', { text: `${m.reason ?? ''} · ${plural(m.attempts, 'attempt')} · ${m.mailbox} · ${m.source}` }))),
    el('td', { 'data-label': 'Size', text: fmtSize(m.size) }),
    result);
  if (!m.reprocessable) result.textContent = 'never downloaded: only discard';
  return { item: m, tr, box, sender, result };
}

function show(r, x) {
  if (!x) return;
  const done = x.outcome !== 'quarantined';
  r.tr.dataset.outcome = x.outcome;
  r.result.replaceChildren(el('b', { text: x.outcome.replace(/_/g, ' ') }),
    x.ticket ? el('a', { href: `#/ticket/${x.ticket}`, text: ` #${x.ticket}` }) : null,
    !done || x.outcome === 'discarded' ? el('div', { class: 'sub', text: done ? x.reason ?? '' : `${reasonLabel(x.reasonCode)}: ${x.reason ?? ''}` }) : null);
  if (done) { r.box.checked = false; r.box.disabled = true; r.tr.classList.add('done'); if (r.sender) r.sender.disabled = true; }
}
