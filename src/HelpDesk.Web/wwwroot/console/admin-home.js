// The admin home (#/admin/home): what waits or failed in the mail (GET /api/v1/mail/counts) and what is set up wrong
// (GET /api/v1/admin/health), each linking to the page that fixes it. Leads see the same, without the admin-only links.
import { el, api, plural, problemText, fmtTime } from './lib.js';

// Where a finding is fixed, by the start of its code (the fix text says what to do there).
const fixPage = [
  ['surveys.', '#/admin/survey', 'Survey settings'],
  ['mail.', '#/admin/mailboxes', 'Mailboxes'],
  ['security.demo_password', '#/admin/people', 'Teams and agents'],
];

function count(value, label, href, tone) {
  const body = [el('span', { class: 'value', text: String(value) }), el('span', { class: 'label', text: label })];
  return el('li', { class: `admin-count${value > 0 && tone ? ` ${tone}` : ''}` }, href ? el('a', { href }, ...body) : el('span', {}, ...body));
}

export async function show(root, ctx) {
  const admin = !ctx.readOnly;
  const [counts, health] = await Promise.allSettled([api('/api/v1/mail/counts'), api('/api/v1/admin/health')]);
  const countsPart = counts.status === 'fulfilled'
    ? el('ul', { class: 'admin-counts', id: 'admin-counts', 'aria-label': 'Mail' },
      count(counts.value.outbox.pending, 'waiting to be sent', admin ? '#/admin/outbox?state=pending' : null, 'warn'),
      count(counts.value.outbox.failed, 'failed to send', admin ? '#/admin/outbox?state=failed' : null, 'bad'),
      count(counts.value.quarantined, 'quarantined', admin ? '#/admin/quarantine' : null, 'warn'),
      count(counts.value.outbox.sent, 'sent', admin ? '#/admin/outbox?state=sent' : null, null))
    : el('p', { class: 'error', role: 'alert', text: `The mail counts could not be read: ${problemText(counts.reason)}` });
  let healthPart;
  if (health.status === 'rejected') healthPart = el('p', { class: 'error', role: 'alert', text: `The settings health could not be read: ${problemText(health.reason)}` });
  else if (health.value.ok) healthPart = el('p', { class: 'empty', id: 'health-ok', text: 'Nothing is set up wrong.' });
  else healthPart = el('ul', { class: 'health-list', id: 'health-list' }, ...health.value.findings.map((f) => {
    const page = fixPage.find(([prefix]) => f.code.startsWith(prefix));
    return el('li', { class: `health sev-${f.severity}`, 'data-code': f.code },
      el('strong', { text: f.problem }),
      el('p', {}, el('span', { class: 'sub', text: 'What it breaks: ' }), f.breaks),
      el('p', {}, el('span', { class: 'sub', text: 'Fix: ' }), f.fix),
      page && admin ? el('a', { href: page[1], text: `Open ${page[2]}` }) : null);
  }));
  const problems = health.status === 'fulfilled' && !health.value.ok ? plural(health.value.findings.length, 'problem') : null;
  root.replaceChildren(
    el('div', { class: 'report-head' }, el('h1', { text: 'Overview' }),
      health.status === 'fulfilled' ? el('span', { class: 'sub', text: `Checked ${fmtTime(health.value.checkedAt)}` }) : null),
    el('h2', { class: 'admin-h2', text: 'Mail' }), countsPart,
    el('h2', { class: 'admin-h2', text: problems ? `Settings health · ${problems}` : 'Settings health' }), healthPart);
}
