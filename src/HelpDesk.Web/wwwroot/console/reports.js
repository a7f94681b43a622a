// Reports: the dashboard (charts and headline figures), the breach review and the scorecards, for a period of local
// dates in the browser's time zone. Leads and admins see every page for their teams; an agent sees their own scorecard.
// The period and filters live in the URL hash (#/reports/PAGE?from=…&to=…&team=…), so a view can be bookmarked or shared.
import { $, el, api, post, fmtSpan, fmtPercent, fmtTime, browserTimeZone, localDate, metricLabel, vocabulary } from './lib.js';
import { barChart, stackedBar, timeline, legend, clockColours, slaStateColours, segmentColours, palette } from './charts.js';

const pages = {
  dashboard: { title: 'Dashboard', lead: true, render: renderDashboard },
  breaches: { title: 'Breach review', lead: true, render: renderBreaches },
  scorecards: { title: 'Scorecards', lead: false, render: renderScorecards },
};
export const ackCategories = ['staffing', 'customer_delay', 'third_party', 'misrouted', 'process', 'tooling', 'other'];
const segmentLabel = { counting: 'counting', outside_hours: 'outside hours', paused: 'paused', stopped: 'stopped' };
const labelOf = (kind) => segmentLabel[kind] ?? String(kind).replace('_', ' ');
const humanise = (s) => String(s ?? '').replace(/_/g, ' ');

let generation = 0; // a newer navigation wins over an older answer still in flight

/** Renders the reports page named by <paramref name="name"/> with the hash's query into #reports. */
export async function showReports(name, params, ctx) {
  const isLead = ctx.me.role === 'lead' || ctx.me.role === 'admin';
  if (!pages[name] || (pages[name].lead && !isLead)) name = isLead ? 'dashboard' : 'scorecards';
  const today = new Date();
  const f = {
    from: params.get('from') || localDate(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 27)),
    to: params.get('to') || localDate(today),
    team: params.get('team') || '',
    metric: params.get('metric') || '',
    acknowledged: params.get('acknowledged') || '',
    page: Math.max(1, +params.get('page') || 1),
    tz: browserTimeZone(),
  };
  const root = $('reports'), mine = ++generation;
  const content = el('div', { class: 'report-content', 'aria-live': 'polite', 'aria-busy': 'true' }, el('p', { class: 'sub', text: 'Loading…' }));
  root.replaceChildren(
    el('header', { class: 'report-head' },
      el('h1', { text: isLead ? 'Reports' : 'My scorecard' }),
      isLead ? el('nav', { class: 'report-tabs', 'aria-label': 'Reports' }, ...Object.entries(pages).map(([k, p]) =>
        el('a', { href: hashFor(k, f), 'aria-current': k === name ? 'page' : null, 'data-page': k, text: p.title }))) : null),
    filterBar(name, f, ctx, isLead),
    content);
  root.dataset.page = name;
  try {
    await pages[name].render(content, f, ctx, () => mine === generation);
  } catch (e) {
    if (mine !== generation) return;
    content.replaceChildren(el('p', { class: 'error', role: 'alert', text: e.status === 403 ? 'You may not see these figures.' : `Could not load: ${e.message}` }));
  }
  if (mine === generation) { content.setAttribute('aria-busy', 'false'); root.dataset.loaded = name; }
}

function query(f, extra = {}) {
  const q = new URLSearchParams({ from: f.from, to: f.to, tz: f.tz });
  if (f.team) q.set('team', f.team);
  for (const [k, v] of Object.entries(extra)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  return q.toString();
}
function hashFor(name, f, changes = {}) {
  const g = { ...f, ...changes };
  const q = new URLSearchParams({ from: g.from, to: g.to });
  if (g.team) q.set('team', g.team);
  if (name === 'breaches') {
    if (g.metric) q.set('metric', g.metric);
    if (g.acknowledged) q.set('acknowledged', g.acknowledged);
    if (g.page > 1) q.set('page', g.page);
  }
  return `#/reports/${name}?${q}`;
}

function filterBar(name, f, ctx, isLead) {
  const from = el('input', { type: 'date', id: 'r-from', value: f.from, required: '' });
  const to = el('input', { type: 'date', id: 'r-to', value: f.to, required: '' });
  const team = el('select', { id: 'r-team' }, el('option', { value: '', text: 'All my teams' }),
    ...ctx.teams.map((t) => el('option', { value: t, text: t, selected: t === f.team ? '' : null })));
  const fields = [el('label', {}, 'From ', from), el('label', {}, 'To ', to)];
  if (isLead) fields.push(el('label', {}, 'Team ', team));
  let metric, acknowledged;
  if (name === 'breaches') {
    metric = el('select', { id: 'r-metric' }, el('option', { value: '', text: 'All clocks' }),
      ...Object.entries(metricLabel).map(([k, v]) => el('option', { value: k, text: v, selected: k === f.metric ? '' : null })));
    acknowledged = el('select', { id: 'r-ack' }, ...[['', 'all'], ['true', 'yes'], ['false', 'no']].map(([v, t]) =>
      el('option', { value: v, text: t, selected: v === f.acknowledged ? '' : null })));
    fields.push(el('label', {}, 'Clock ', metric), el('label', {}, 'Acknowledged ', acknowledged));
  }
  const form = el('form', { class: 'report-filters', 'aria-label': 'Period and filters' }, ...fields,
    el('button', { type: 'submit', class: 'primary', id: 'r-apply', text: 'Apply' }),
    el('span', { class: 'sub', text: `Local dates in ${f.tz}` }));
  if (isLead) {
    form.append(el('span', { class: 'csv' }, 'CSV: ',
      el('a', { href: `/api/v1/reports/tickets.csv?${query(f)}`, download: '', id: 'csv-tickets', text: 'tickets' }), ' · ',
      el('a', { href: `/api/v1/reports/cycles.csv?${query(f)}`, download: '', id: 'csv-cycles', text: 'SLA cycles' })));
  }
  const apply = () => {
    if (!from.value || !to.value) return;
    location.hash = hashFor(name, f, { from: from.value, to: to.value, team: isLead ? team.value : '', metric: metric?.value ?? '', acknowledged: acknowledged?.value ?? '', page: 1 });
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
  for (const s of [team, metric, acknowledged]) s?.addEventListener('change', apply);
  return form;
}

// A data table: the text fallback of a chart, and the form of the scorecards.
function table(caption, headers, rows, attrs = {}) {
  return el('table', { class: 'data', ...attrs }, el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row', text: c } : { text: c }))))));
}
const fallback = (t) => el('details', { class: 'fallback' }, el('summary', { text: 'Show the figures as a table' }), t);

// ---------- Dashboard ----------
async function renderDashboard(content, f, ctx, current) {
  const m = await api(`/api/v1/metrics?${query(f)}`);
  if (!current()) return;
  const clocks = vocabulary.metrics.map((c) => c.name);
  const figure = (label, value, sub, key) => el('div', { class: 'figure', 'data-figure': key }, el('small', { text: label }), el('div', { class: 'value', text: value }), el('div', { class: 'sub', text: sub }));
  const nps = m.nps?.score === null || m.nps?.score === undefined ? '—' : `${m.nps.score > 0 ? '+' : ''}${Math.round(m.nps.score)}`;
  const headline = el('section', { class: 'headline', 'aria-label': 'Headline figures' },
    figure('First contact resolution', fmtPercent(m.firstContactResolution.rate), `${m.firstContactResolution.firstContact} of ${m.firstContactResolution.solved} solved`, 'fcr'),
    figure('Resolution rate', fmtPercent(m.resolutionRate.rate), `${m.resolutionRate.solved} solved of ${m.resolutionRate.created} created`, 'resolutionRate'),
    figure('CSAT', fmtPercent(m.csat.score), `${m.csat.satisfied} of ${m.csat.answers} rated 4–5`, 'csat'),
    figure('NPS', nps, `${m.nps.answers} answers`, 'nps'),
    figure('CES', m.ces.mean === null || m.ces.mean === undefined ? '—' : m.ces.mean.toFixed(1), `mean of ${m.ces.answers} (1 hard – 7 easy)`, 'ces'),
    figure('Backlog', String(m.backlog.total), 'open tickets now', 'backlog'));
  const times = table('Response and resolution times (business hours vs calendar time)',
    ['Clock', 'Cycles', 'Business median', 'Business p90', 'Calendar median', 'Calendar p90', 'Within target'],
    clocks.map((k) => [metricLabel[k], String(m[k].count), fmtSpan(m[k].business.medianMs), fmtSpan(m[k].business.p90Ms),
      fmtSpan(m[k].calendar.medianMs), fmtSpan(m[k].calendar.p90Ms), `${fmtPercent(m[k].attainment.rate)} (${m[k].attainment.met} of ${m[k].attainment.stopped})`]),
    { id: 'times' });

  const weeks = m.weekly.map((w) => ({ key: w.weekStart, label: shortDate(w.weekStart) }));
  const weekly = barChart({
    title: 'SLA attainment per week',
    desc: `Share of SLA cycles that stopped within target, per week starting Monday, for first response, next reply and resolution; dashed line: 90% goal.`,
    categories: weeks,
    series: clocks.map((k) => ({ key: k, label: metricLabel[k], color: clockColours[k],
      values: m.weekly.map((w) => w[k].rate),
      titles: m.weekly.map((w) => `${metricLabel[k]}, week of ${shortDate(w.weekStart)}: ${fmtPercent(w[k].rate)} (${w[k].met} of ${w[k].stopped} within target)`) })),
    y: { max: 1, step: 0.25, format: (v) => `${Math.round(v * 100)}%` },
    goal: { value: 0.9, label: '90% goal' }, xTitle: 'Week starting', yTitle: 'Within target',
  });
  const frt = barChart({
    title: 'First response time distribution',
    desc: 'Number of first responses in the period by how long the customer waited (business time).',
    categories: m.frtDistribution.map((b, i) => ({ key: String(i), label: b.label })),
    series: [{ key: 'count', label: 'First responses', color: palette.blue, values: m.frtDistribution.map((b) => b.count),
      titles: m.frtDistribution.map((b) => `${b.label}: ${b.count} first responses`) }],
    y: { format: (v) => String(v) }, xTitle: 'Waited (business time)', yTitle: 'Tickets',
  });
  const states = [['breached', 'Breached'], ['atRisk', 'At risk'], ['onTrack', 'On track'], ['paused', 'Paused'], ['noSla', 'No SLA']]
    .map(([k, label]) => ({ key: k, label, value: m.backlog.bySlaState[k] ?? 0, color: slaStateColours[k] }));
  const backlog = stackedBar({ title: 'Backlog by SLA state', desc: `${m.backlog.total} open tickets by the state of their nearest SLA clock.`, parts: states });

  content.replaceChildren(headline, times, el('div', { class: 'charts' },
    chartFigure('chart-weekly', 'SLA attainment per week', weekly, legend([...clocks.map((k) => ({ key: k, label: metricLabel[k], color: clockColours[k] })), { key: 'goal', label: '90% goal (dashed)', color: '#1d2330' }]),
      table('SLA attainment per week', ['Week starting', ...clocks.map((k) => metricLabel[k])], m.weekly.map((w) => [w.weekStart, ...clocks.map((k) => `${fmtPercent(w[k].rate)} (${w[k].met}/${w[k].stopped})`)]))),
    chartFigure('chart-frt', 'First response time distribution', frt, null,
      table('First response time distribution', ['Waited', 'First responses'], m.frtDistribution.map((b) => [b.label, String(b.count)]))),
    chartFigure('chart-backlog', 'Backlog by SLA state', backlog, legend(states.map((s) => ({ ...s, label: `${s.label} (${s.value})` }))),
      table('Backlog by SLA state', ['SLA state', 'Open tickets'], states.map((s) => [s.label, String(s.value)])), 'wide')));
}
function chartFigure(id, caption, chart, legendEl, dataTable, cls = '') {
  return el('figure', { class: `chart-card ${cls}`, id }, el('figcaption', { text: caption }), chart, legendEl, fallback(dataTable));
}
function shortDate(ymd) {
  const [y, mo, d] = ymd.split('-').map(Number);
  return new Date(y, mo - 1, d).toLocaleDateString([], { day: 'numeric', month: 'short' });
}

// ---------- Breach review ----------
async function renderBreaches(content, f, ctx, current) {
  const page = await api(`/api/v1/breaches?${query(f, { metric: f.metric, acknowledged: f.acknowledged, page: f.page, pageSize: 50 })}`);
  if (!current()) return;
  const first = page.total ? (page.page - 1) * page.pageSize + 1 : 0, last = Math.min(page.total, page.page * page.pageSize);
  const pager = el('div', { class: 'pager' }, el('span', { id: 'breach-count', text: page.total ? `Breaches ${first}–${last} of ${page.total}` : 'No breaches in this period.' }),
    page.page > 1 ? el('a', { href: hashFor('breaches', f, { page: page.page - 1 }), text: '← newer' }) : null,
    last < page.total ? el('a', { href: hashFor('breaches', f, { page: page.page + 1 }), text: 'older →' }) : null);
  const key = legend(Object.keys(segmentColours).map((k) => ({ key: k, label: labelOf(k), color: segmentColours[k] })));
  key.append(el('li', { 'data-key': 'breach' }, el('i', { class: 'swatch mark', style: `background:${palette.vermillion}`, 'aria-hidden': 'true' }), 'breach instant'));
  content.replaceChildren(pager, key, el('ol', { class: 'breaches', id: 'breach-list' }, ...page.items.map(breachItem)));
}

/** "Held by Dana (3h 10m of 4h), Team Support (50m)": the holder charged with the breach first, then the others by time held. */
export function attributionText(b) {
  const name = (h) => h.agent ? h.agent : `Team ${h.team}`;
  const a = b.attributedTo;
  const isCharged = (s) => a && s.teamId === a.teamId && (s.agentId ?? null) === (a.agentId ?? null);
  const shares = [...(b.shares ?? [])].sort((x, y) => (isCharged(y) - isCharged(x)) || y.countedMs - x.countedMs);
  if (!shares.length) return a ? `Held by ${name(a)}` : 'No holder recorded';
  const [head, ...rest] = shares;
  const lead = isCharged(head) ? `Held by ${name(head)} (${fmtSpan(head.countedMs)} of ${fmtSpan(b.targetMs)})` : `Held by ${a ? name(a) : name(head)}`;
  return [lead, ...(isCharged(head) ? rest : shares).map((s) => `${name(s)} (${fmtSpan(s.countedMs)})`)].join(', ');
}

function breachItem(b) {
  const li = el('li', { class: `breach${b.acknowledgement ? ' acked' : ''}`, 'data-ticket': b.ticketNumber, 'data-metric': b.metric, 'data-cycle': b.cycle });
  const sums = {};
  for (const s of b.segments) sums[s.kind] = (sums[s.kind] ?? 0) + Date.parse(s.to) - Date.parse(s.from);
  const ackBox = el('div', { class: 'ack' });
  li.append(
    el('div', { class: 'breach-head' },
      el('a', { href: `#/ticket/${b.ticketNumber}`, class: 'ticket-link', text: `#${b.ticketNumber}` }),
      el('span', { class: 'subject', text: b.subject }),
      el('span', { class: 'pill metric', text: `${metricLabel[b.metric] ?? b.metric}${b.cycle > 1 ? ` #${b.cycle}` : ''}` }),
      el('span', { class: `pill ${b.priority}`, text: b.priority }),
      el('span', { class: 'team', text: b.team?.name ?? '' })),
    el('div', { class: 'figures' },
      el('span', { 'data-field': 'target', text: `Target ${fmtSpan(b.targetMs)}` }),
      el('span', { 'data-field': 'counted', text: `counted ${fmtSpan(b.countedMs)}` }),
      el('span', { 'data-field': 'overrun', class: 'overrun', text: `over by ${fmtSpan(b.overrunMs)}` }),
      el('span', { text: `breached ${fmtTime(b.breachedAt)}` }),
      el('span', { class: 'sub', text: `outside hours ${fmtSpan(sums.outside_hours ?? 0)} · paused ${fmtSpan(sums.paused ?? 0)}` })),
    b.segments.length ? timeline({ segments: b.segments, breachedAt: b.breachedAt, labelFor: labelOf, when: fmtTime, span: fmtSpan })
      : el('p', { class: 'sub', text: 'No segments recorded.' }),
    el('div', { class: 'axis-ends sub' }, el('span', { text: fmtTime(b.segments[0]?.from ?? b.startedAt) }), el('span', { text: fmtTime(b.segments.at(-1)?.to ?? b.stoppedAt) })),
    el('p', { class: 'attribution', text: attributionText(b) }),
    ackBox);
  renderAck(ackBox, b, li);
  return li;
}

function renderAck(box, b, li) {
  const a = b.acknowledgement;
  const open = el('button', { type: 'button', class: 'ack-open', text: a ? 'Change acknowledgement' : 'Acknowledge' });
  box.replaceChildren(...[
    a ? el('div', { class: 'ack-note' }, el('span', { class: 'badge', text: 'Acknowledged' }), ' ',
      el('b', { class: 'ack-category', text: humanise(a.category) }), a.note ? el('span', { class: 'ack-text', text: ` — ${a.note}` }) : null,
      el('span', { class: 'sub', text: ` · ${a.by ?? ''}, ${fmtTime(a.at)}` })) : null,
    open].filter(Boolean));
  open.addEventListener('click', () => {
    const id = `ack-${b.ticketNumber}-${b.metric}-${b.cycle}`;
    const category = el('select', { id: `${id}-cat`, class: 'ack-category-select', required: '' }, el('option', { value: '', text: 'Choose a root cause…' }),
      ...ackCategories.map((c) => el('option', { value: c, text: humanise(c), selected: a?.category === c ? '' : null })));
    const note = el('textarea', { id: `${id}-note`, class: 'ack-note-input', rows: 2, maxlength: 2000, placeholder: 'What happened, what we change' });
    note.value = a?.note ?? '';
    const status = el('span', { class: 'ack-status', role: 'status' });
    const form = el('form', { class: 'ack-form', 'aria-label': `Acknowledge breach of #${b.ticketNumber}` },
      el('label', { for: category.id, text: 'Root cause' }), category,
      el('label', { for: note.id, text: 'Note' }), note,
      el('div', {}, el('button', { type: 'submit', class: 'primary ack-save', text: 'Save' }), ' ', el('button', { type: 'button', class: 'ack-cancel', text: 'Cancel' }), ' ', status));
    form.querySelector('.ack-cancel').addEventListener('click', () => renderAck(box, b, li));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!category.value) { status.textContent = 'Choose a root cause.'; category.focus(); return; }
      status.textContent = 'Saving…';
      try {
        const updated = await post(`/api/v1/breaches/${b.ticketNumber}/${encodeURIComponent(b.metric)}/${b.cycle}/acknowledgement`, { category: category.value, note: note.value });
        li.replaceWith(breachItem(updated));
      } catch (err) { status.textContent = `Not saved: ${err.message}`; }
    });
    box.replaceChildren(form);
    category.focus();
  });
}

// ---------- Scorecards ----------
const sortState = { agents: { key: 'solved', dir: -1 }, teams: { key: 'solved', dir: -1 } };
const scoreColumns = [
  { key: 'name', label: 'Name', value: (r) => r.name ?? r.team, text: (r) => r.name ?? r.team, type: 'text' },
  { key: 'solved', label: 'Solved', value: (r) => r.solved, text: (r) => String(r.solved) },
  { key: 'frtMedian', label: 'FRT median', value: (r) => r.firstResponse.medianMs, text: (r) => fmtSpan(r.firstResponse.medianMs) },
  { key: 'frtP90', label: 'FRT p90', value: (r) => r.firstResponse.p90Ms, text: (r) => fmtSpan(r.firstResponse.p90Ms) },
  { key: 'resMedian', label: 'Resolution median', value: (r) => r.resolution.medianMs, text: (r) => fmtSpan(r.resolution.medianMs) },
  { key: 'resP90', label: 'Resolution p90', value: (r) => r.resolution.p90Ms, text: (r) => fmtSpan(r.resolution.p90Ms) },
  { key: 'fcr', label: 'FCR', value: (r) => r.firstContactResolution.rate, text: (r) => fmtPercent(r.firstContactResolution.rate) },
  { key: 'csat', label: 'CSAT', value: (r) => r.csat.score, text: (r) => r.csat.answers ? `${fmtPercent(r.csat.score)} (${r.csat.answers})` : '—' },
  { key: 'breaches', label: 'Breaches', value: (r) => r.breaches, text: (r) => String(r.breaches) },
];

async function renderScorecards(content, f, ctx, current) {
  const s = await api(`/api/v1/scorecards?${query(f)}`);
  if (!current()) return;
  const isLead = ctx.me.role === 'lead' || ctx.me.role === 'admin';
  const agents = scoreTable('agents', isLead ? 'Agents' : 'My figures', s.agents, (r) => r.email);
  content.replaceChildren(...[agents, isLead && s.teams?.length ? scoreTable('teams', 'Teams', s.teams, () => null) : null,
    el('p', { class: 'sub', text: 'FRT and resolution times in business hours. Breaches: those charged to the agent or team (who held the ticket while the target was used up).' })].filter(Boolean));
}

/** Nulls (no data) sort last whichever the direction. */
export function sortRows(rows, column, dir) {
  return [...rows].sort((a, b) => {
    const x = column.value(a), y = column.value(b);
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
    if (y === null || y === undefined) return -1;
    return (column.type === 'text' ? String(x).localeCompare(String(y)) : x - y) * dir;
  });
}

function scoreTable(kind, caption, rows, sub) {
  const wrap = el('section', { class: 'scorecard', id: `scorecard-${kind}` });
  const draw = () => {
    const st = sortState[kind], col = scoreColumns.find((c) => c.key === st.key) ?? scoreColumns[1];
    const head = el('tr', {}, ...scoreColumns.map((c) => {
      const button = el('button', { type: 'button', class: 'sort', 'data-sort': c.key, text: c.label });
      button.addEventListener('click', () => {
        sortState[kind] = { key: c.key, dir: st.key === c.key ? -st.dir : (c.type === 'text' ? 1 : -1) };
        draw();
        wrap.querySelector(`button[data-sort="${c.key}"]`)?.focus();
      });
      return el('th', { scope: 'col', 'aria-sort': c.key === st.key ? (st.dir > 0 ? 'ascending' : 'descending') : 'none', 'data-key': c.key }, button);
    }));
    const body = el('tbody', {}, ...sortRows(rows, col, st.dir).map((r) => el('tr', { 'data-id': r.agentId ?? r.teamId },
      ...scoreColumns.map((c, i) => i === 0
        ? el('th', { scope: 'row' }, el('span', { text: c.text(r) }), sub(r) ? el('small', { class: 'sub', text: ` ${sub(r)}` }) : null)
        : el('td', { 'data-key': c.key, 'data-value': c.value(r) ?? '', text: c.text(r) })))));
    wrap.replaceChildren(el('table', { class: 'data sortable' }, el('caption', { text: caption }), el('thead', {}, head),
      rows.length ? body : el('tbody', {}, el('tr', {}, el('td', { colspan: scoreColumns.length, class: 'sub', text: 'No figures for this period.' })))));
  };
  draw();
  return wrap;
}
