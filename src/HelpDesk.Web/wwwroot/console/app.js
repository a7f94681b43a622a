// The agent console: live queue, ticket view, presence, stale-reply guard, countdowns, notifications, metric tiles.
// Everything the server pushes carries (stream, seq); the console applies each sequence number once, in order, and
// fetches any gap (after a reconnect, or events from another node arriving early) from /api/v1/console/events.
import { $, el, api, post, session, fmtDuration, fmtLeft, fmtTime, parseIsoDuration, browserTimeZone, vocabulary, metricLabel, loadVocabulary, isOpenStatus, fillOptions, problemText } from './lib.js';
import { showReports } from './reports.js';
import { showQuarantine } from './quarantine.js';
import { openNewTicket } from './newticket.js';
import { initPicker, openPicker, closePicker, showMacros } from './macros.js';
import { showAdmin, isAdminPath } from './admin.js';

const state = {
  me: null, csrf: null, teams: [],
  lastSeq: {},            // stream -> last applied sequence
  queue: new Map(),       // number -> queue item of the loaded pages, in the server's order
  total: 0,               // how many tickets the current view lists (the API's exact total)
  viewKey: 'open',        // the queue view: a built-in name or saved:ID
  views: { builtIn: [], saved: [] },
  countdowns: new Map(),  // number -> { c, evaluatedAtMs, fetchedAtMs }
  selected: null,         // number highlighted in the queue
  open: null,             // number of the ticket being viewed
  ticket: null,           // TicketDto of the open ticket
  composerVersion: null,  // the ticket version the draft was written against
  typing: false, typingTimer: null,
  view: 'queue',          // 'queue', 'reports', 'quarantine' or 'macros'
  sla: null,              // the open ticket's running clocks: { clocks, evaluatedAtMs, fetchedAtMs, windows }
};
const PAGE_SIZE = 50;
// The last applied sequence of each stream, also on <body data-last-seq> (what a page is up to, readable from outside).
function setSeq(stream, seq) {
  state.lastSeq[stream] = seq;
  document.body.dataset.lastSeq = JSON.stringify(state.lastSeq);
}

// ---------- Countdown (business time only inside the server's working windows) ----------
export function businessMsBetween(windows, fromMs, toMs) {
  let total = 0;
  for (const w of windows) {
    const a = Math.max(fromMs, w.fromMs), b = Math.min(toMs, w.toMs);
    if (b > a) total += b - a;
  }
  return total;
}
function remainingNow(entry, nowMs) {
  const c = entry.c;
  if (c.state === 'paused') return c.remainingMs;
  const serverNow = entry.evaluatedAtMs + (nowMs - entry.fetchedAtMs);
  return c.remainingMs - businessMsBetween(entry.windows, entry.evaluatedAtMs, serverNow);
}
function chipFor(number) {
  // Done work has no clock: its chip says when it last changed (what solved and closed lists are sorted by).
  const t = state.queue.get(number);
  if (t && !isOpenStatus(t.status)) return { text: fmtTime(t.updatedAt), cls: 'none', title: 'Last updated' };
  const entry = state.countdowns.get(number);
  if (!entry) return { text: 'no SLA', cls: 'none', title: 'No SLA clock is running' };
  const c = entry.c, left = remainingNow(entry, Date.now());
  const warnPct = (c.warnAtPercent && c.warnAtPercent.length) ? Math.min(...c.warnAtPercent) : 75;
  const counted = c.targetMs - left;
  let cls = 'ok';
  if (left < 0 || c.state === 'breached') cls = 'breached';
  else if (c.state === 'paused') cls = 'paused';
  else if (counted >= c.targetMs * warnPct / 100) cls = 'warning';
  const label = metricLabel[c.metric]?.toLowerCase() || c.metric;
  const text = c.state === 'paused' ? `paused ${fmtLeft(left)}` : fmtLeft(left);
  return { text, cls, title: `${label}: ${left < 0 ? fmtLeft(left) : `${fmtDuration(left)} of business time left`} (target ${fmtDuration(c.targetMs)})`, left };
}
async function fetchCountdowns(numbers) {
  const page = await api(`/api/v1/console/countdowns?${numbers.map((n) => `number=${n}`).join('&')}`);
  const fetchedAtMs = Date.now(), evaluatedAtMs = Date.parse(page.evaluatedAt);
  return page.countdowns.map((c) => ({ c, fetchedAtMs, evaluatedAtMs, windows: c.windows.map((w) => ({ fromMs: Date.parse(w.from), toMs: Date.parse(w.to) })) }));
}
async function refreshCountdowns(numbers) {
  // In batches of 200 (the endpoint's limit): every loaded ticket gets its chip, however many pages are loaded.
  for (let i = 0; i < numbers.length; i += 200) {
    const batch = numbers.slice(i, i + 200), entries = await fetchCountdowns(batch);
    for (const n of batch) state.countdowns.delete(n);
    for (const e of entries) state.countdowns.set(e.c.number, e);
  }
  if (numbers.length) tickChips();
}
function tickChips() {
  for (const li of document.querySelectorAll('#queue li')) {
    const chip = li.querySelector('.chip'), info = chipFor(+li.dataset.number);
    chip.textContent = info.text; chip.className = `chip ${info.cls}`; chip.title = info.title;
    if (info.left !== undefined) chip.dataset.remainingMs = String(Math.round(info.left));
  }
}

// ---------- Views and the queue ----------
// The server selects, sorts and pages (GET /api/v1/tickets with the view's query); the console shows the pages loaded so
// far and says how many there are in all. Live events update a loaded row at once and re-read the loaded range soon after,
// so a ticket that entered or left the view appears or goes.
function currentView() {
  return state.views.builtIn.find((v) => v.name === state.viewKey) ?? state.views.saved.find((s) => `saved:${s.view.id}` === state.viewKey)?.view
    ?? { query: `view=${state.viewKey.startsWith('saved:') ? 'open' : state.viewKey}` };
}
/** The query of the selected view, refined by the filters shown (a filter chosen replaces the view's own). */
function queueParams() {
  const params = new URLSearchParams(currentView().query);
  for (const [id, key] of [['f-team', 'team'], ['f-status', 'status'], ['f-priority', 'priority'], ['f-channel', 'channel'], ['f-sort', 'sort']]) if ($(id).value) params.set(key, $(id).value);
  return params;
}
async function fetchRange(offset, count) {
  const items = [];
  let total = 0;
  for (;;) {
    const params = queueParams();
    params.set('offset', String(offset + items.length)); params.set('limit', String(Math.min(500, count - items.length)));
    const page = await api(`/api/v1/tickets?${params}`);
    items.push(...page.items); total = page.total;
    if (!page.items.length || items.length >= count || offset + items.length >= total) return { items, total };
  }
}
let queueLoad = 0;
/** (Re-)reads the first pages: as many as are loaded, at least one. */
async function loadQueue(count = Math.max(PAGE_SIZE, state.queue.size)) {
  const load = ++queueLoad;
  const { items, total } = await fetchRange(0, count);
  if (load !== queueLoad) return;
  state.queue = new Map(items.map((t) => [t.number, t]));
  state.total = total;
  renderQueue();
  await refreshCountdowns([...state.queue.keys()]);
}
async function loadMore() {
  $('queue-more').disabled = true;
  try {
    const { items, total } = await fetchRange(state.queue.size, PAGE_SIZE);
    for (const t of items) state.queue.set(t.number, t);
    state.total = total;
    renderQueue();
    await refreshCountdowns(items.map((t) => t.number));
  } finally { $('queue-more').disabled = false; }
}
function renderQueue() {
  const list = $('queue'), items = [...state.queue.values()];
  // Re-rendering must not take the keyboard (and a screen reader) away from the row it is on.
  const focused = document.activeElement?.closest?.('#queue li')?.dataset.number, scroll = $('queue-scroll').scrollTop;
  list.replaceChildren(...items.map((t) => {
    const li = el('li', { role: 'option', id: `q-${t.number}`, tabindex: '-1', 'data-number': t.number, 'aria-selected': String(t.number === state.selected), class: t.number === state.open ? 'open-t' : '' },
      el('div', { class: 'subj', text: `#${t.number} ${t.subject}` }),
      el('span', { class: 'chip' }),
      el('div', { class: 'meta' }, el('span', { class: `pill ${t.priority}`, text: t.priority }), el('span', { class: 'pill', text: t.status.replace('_', ' ') }),
        `${t.requesterName || t.requesterEmail} · ${t.team}${t.assigneeEmail ? ' · ' + t.assigneeEmail : ' · unassigned'}`));
    li.addEventListener('click', () => { select(t.number); goTicket(t.number); });
    return li;
  }));
  $('queue-empty').hidden = items.length > 0;
  $('queue-count').textContent = items.length ? `Showing ${items.length} of ${state.total}` : '';
  $('queue-more').hidden = items.length >= state.total;
  if ((state.selected === null || !state.queue.has(state.selected)) && items.length && state.open === null) state.selected = items[0].number;
  if (state.selected !== null && state.queue.has(state.selected)) list.setAttribute('aria-activedescendant', `q-${state.selected}`); else list.removeAttribute('aria-activedescendant');
  if (focused) document.getElementById(`q-${focused}`)?.focus({ preventScroll: true });
  $('queue-scroll').scrollTop = scroll;
  tickChips();
}
let queueTimer = null, viewsTimer = null;
function reloadQueueSoon() {
  clearTimeout(queueTimer);
  queueTimer = setTimeout(() => loadQueue().catch(console.warn), 250);
  // The counts are several queries: on a busy team they are re-read at most every 1.5 s, not per event.
  viewsTimer ??= setTimeout(() => { viewsTimer = null; loadViews().catch(console.warn); }, 1500);
}
function select(number, focus = false) {
  state.selected = number;
  for (const li of document.querySelectorAll('#queue li')) li.setAttribute('aria-selected', String(+li.dataset.number === number));
  const li = document.getElementById(`q-${number}`);
  if (!li) return;
  $('queue').setAttribute('aria-activedescendant', li.id);
  li.scrollIntoView({ block: 'nearest' });
  if (focus) li.focus({ preventScroll: true });
}
function moveSelection(delta) {
  const numbers = [...state.queue.keys()];
  if (!numbers.length) return;
  const i = numbers.indexOf(state.selected);
  select(numbers[Math.max(0, Math.min(numbers.length - 1, i < 0 ? 0 : i + delta))], true);
}

async function loadViews() {
  state.views = await api('/api/v1/views');
  renderViews();
}
function renderViews() {
  const button = (key, label, count, cls = 'view') => el('button', { type: 'button', class: cls, 'data-view': key, 'aria-current': String(key === state.viewKey) },
    label, el('span', { class: 'count', text: String(count), 'aria-label': `${count} tickets` }));
  $('views').replaceChildren(
    ...state.views.builtIn.map((v) => el('li', {}, button(v.name, v.label, v.count))),
    ...state.views.saved.map((s) => el('li', { class: 'saved' }, button(`saved:${s.view.id}`, s.view.name, s.count),
      el('button', { type: 'button', class: 'delete', 'data-delete': s.view.id, 'aria-label': `Delete saved view ${s.view.name}`, title: 'Delete this saved view', text: '×' }))));
  // Switching views keeps the open ticket open.
  for (const b of $('views').querySelectorAll('button[data-view]')) b.addEventListener('click', () => {
    location.hash = state.open !== null ? `#/ticket/${state.open}${viewSuffix(b.dataset.view)}` : queueHash(b.dataset.view);
  });
  for (const b of $('views').querySelectorAll('button[data-delete]')) b.addEventListener('click', async () => {
    await api(`/api/v1/views/saved/${b.dataset.delete}`, { method: 'DELETE' });
    if (state.viewKey === `saved:${b.dataset.delete}`) location.hash = queueHash('open');
    await loadViews();
  });
}
/** Switches the queue to a view (resetting the filters shown) and reloads it. */
async function showView(key) {
  if (key === state.viewKey) return;
  state.viewKey = key;
  for (const id of ['f-team', 'f-status', 'f-priority', 'f-channel', 'f-sort']) $(id).value = '';
  renderViews();
  state.queue.clear(); state.selected = null;
  $('queue-scroll').scrollTop = 0;
  await loadQueue(PAGE_SIZE);
}
$('queue-more').addEventListener('click', () => loadMore().catch(console.warn));
for (const id of ['f-team', 'f-status', 'f-priority', 'f-channel', 'f-sort']) $(id).addEventListener('change', () => { state.queue.clear(); loadQueue(PAGE_SIZE).catch(console.warn); });
$('save-view').addEventListener('click', () => { $('save-view-form').hidden = false; $('save-view').hidden = true; $('save-view-name').focus(); });
$('save-view-cancel').addEventListener('click', () => { $('save-view-form').hidden = true; $('save-view').hidden = false; $('save-view-error').textContent = ''; });
$('save-view-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const params = queueParams();
  const body = { name: $('save-view-name').value, status: params.getAll('status') };
  for (const k of ['view', 'team', 'assignee', 'priority', 'sort']) body[k] = params.get(k);
  try {
    const saved = await post('/api/v1/views/saved', body);
    $('save-view-error').textContent = ''; $('save-view-name').value = '';
    $('save-view-form').hidden = true; $('save-view').hidden = false;
    await loadViews();
    location.hash = queueHash(`saved:${saved.id}`);
  } catch (err) {
    $('save-view-error').textContent = problemText(err);
  }
});

// ---------- Ticket view ----------
// The URL follows the open ticket: #/ticket/N (with ?view=KEY when the queue shows another view than open work).
const viewSuffix = (key) => key === 'open' ? '' : `?view=${encodeURIComponent(key)}`;
const queueHash = (key = state.viewKey) => `#/${viewSuffix(key)}`;
const ticketHash = (number) => `#/ticket/${number}${viewSuffix(state.viewKey)}`;
function goTicket(number) {
  if (location.hash === ticketHash(number)) openTicket(number).catch(console.warn);
  else location.hash = ticketHash(number);
}
/** A fresh composer and no leftover errors: nothing written for one ticket is sent to another. */
function resetComposer() {
  setTyping(false);
  $('reply-body').value = ''; $('reply-cc').value = ''; $('stale').hidden = true;
  $('composer-status').textContent = ''; $('composer-status').classList.remove('error');
  document.querySelector('input[name=visibility][value=public]').checked = true; $('composer').classList.remove('internal');
  $('a-tags').value = ''; $('a-assignee').value = ''; delete $('a-assignee').dataset.shown;
  for (const e of document.querySelectorAll('.ticket-actions .action-error')) e.textContent = '';
}
async function openTicket(number) {
  if (state.open !== number) { resetComposer(); closePicker(); $('presence').replaceChildren(); }
  state.open = number;
  document.body.classList.add('ticket-open');
  $('t-back').href = queueHash();
  $('ticket-placeholder').hidden = true; $('ticket-missing').hidden = true;
  if (state.queue.has(number)) select(number);
  renderQueue();
  try {
    await Promise.all([loadTicket(true), loadThread(), loadSla()]);
  } catch (e) {
    if (state.open === number) showMissing(number, e);
    return;
  }
  if (state.open !== number) return;
  $('ticket').hidden = false;
  // The viewers list arrives as a push (ordered on the server); the invocation's own answer could be older than a push.
  try { await hub.invoke('ViewTicket', number); } catch (e) { console.warn(e); }
}
/** Not found (missing, or another team's: the API does not tell them apart) or not loadable: said in the ticket pane. */
function showMissing(number, e) {
  hub.invoke('LeaveTicket').catch(() => {});
  $('ticket').hidden = true; $('ticket-placeholder').hidden = true;
  const box = $('ticket-missing');
  box.replaceChildren(...(e.status === 404
    ? [el('strong', { text: `Ticket #${number} was not found.` }), el('span', { text: 'It does not exist, or it belongs to a team you are not in.' })]
    : [el('strong', { text: `Ticket #${number} could not be loaded.` }), el('span', { text: e.message })]),
    el('p', {}, el('a', { href: queueHash(), text: 'Back to the queue' })));
  box.hidden = false;
}
function closeTicket() {
  if (state.open !== null) hub.invoke('LeaveTicket').catch(() => {});
  state.open = null; state.ticket = null; state.sla = null;
  resetComposer();
  document.body.classList.remove('ticket-open');
  $('ticket').hidden = true; $('ticket-missing').hidden = true; $('ticket-placeholder').hidden = false;
  renderQueue();
}
async function loadTicket(resetComposer) {
  const number = state.open, t = await api(`/api/v1/tickets/${number}`);
  if (number !== state.open) return;
  state.ticket = t;
  if (resetComposer || state.composerVersion === null || !$('reply-body').value.trim()) state.composerVersion = t.version;
  $('t-subject').textContent = `#${t.number} ${t.subject}`;
  $('a-status').value = t.status; $('a-priority').value = t.priority;
  // A live update must not overwrite an address being typed: the field follows the ticket only while unedited.
  const assignee = $('a-assignee'), shown = t.assignee?.email || '';
  if (assignee.value === (assignee.dataset.shown ?? '')) assignee.value = shown;
  assignee.dataset.shown = shown;
  $('requester').replaceChildren(...[el('div', { text: t.requester.name }), el('div', { class: 'sub', text: t.requester.email }),
    t.participants.length ? el('div', { class: 'sub', text: `Participants: ${t.participants.join(', ')}` }) : null].filter(Boolean));
  const dl = $('details'); dl.replaceChildren();
  for (const [k, v] of [['Team', t.team], ['Assignee', t.assignee?.name || 'unassigned'], ['Channel', t.channel], ['Tags', t.tags.join(', ') || '—'],
    ['Created', fmtTime(t.createdAt)], ['Updated', fmtTime(t.updatedAt)], ['Policy', t.slaPolicy || 'none'], ['Version', String(t.version)]]) dl.append(el('dt', { text: k }), el('dd', { text: v }));
  loadHistory(t).catch(console.warn);
}
async function loadHistory(t) {
  const h = await api(`/api/v1/customers/${encodeURIComponent(t.requester.email)}/history`);
  const others = h.tickets.filter((x) => x.number !== t.number);
  $('history').replaceChildren(...(others.length ? others.map((x) => el('li', {},
    el('a', { href: `#/ticket/${x.number}`, 'data-open': x.number, text: `#${x.number} ${x.subject}` }), ' ', el('span', { class: 'pill', text: x.status }),
    x.satisfaction ? el('span', { class: 'pill', text: `CSAT ${x.satisfaction}` }) : null)) : [el('li', { class: 'sub', text: 'No other tickets.' })]));
  for (const a of $('history').querySelectorAll('a[data-open]')) a.addEventListener('click', (e) => { e.preventDefault(); goTicket(+a.dataset.open); });
}
function renderBody(a) {
  if (a.bodyHtml) {
    // Sanitised on the server, and still isolated: no scripts, no same-origin access, no forms or popups. Loaded from its
    // own address (not srcdoc) so it has its own Content-Security-Policy instead of inheriting the console's strict one.
    const frame = el('iframe', { sandbox: '', title: `Message from ${a.authorName}`, referrerpolicy: 'no-referrer',
      src: `/api/v1/tickets/${state.open}/articles/${a.id}/html` });
    return frame;
  }
  // Quoted history ("> " lines, "On … wrote:") is folded, never dropped.
  const lines = a.bodyText.split('\n');
  let cut = lines.findIndex((l, i) => /^>/.test(l) || (/^On .+wrote:\s*$/.test(l) && lines.slice(i + 1).some((x) => /^>/.test(x))));
  if (cut < 0) return el('pre', { class: 'body', text: a.bodyText });
  const frag = document.createDocumentFragment();
  frag.append(el('pre', { class: 'body', text: lines.slice(0, cut).join('\n').trimEnd() }),
    el('details', {}, el('summary', { text: 'Quoted text' }), el('pre', { text: lines.slice(cut).join('\n') })));
  return frag;
}
async function loadThread() {
  const number = state.open, articles = await api(`/api/v1/tickets/${number}/articles`);
  if (number !== state.open) return;
  $('thread').replaceChildren(...articles.map((a) => {
    const cls = a.visibility === 'internal' ? (a.kind === 'system' ? 'system' : 'note') : a.authorType === 'agent' ? 'agent' : 'customer';
    return el('li', { class: `msg ${cls}`, 'data-article': a.id },
      el('header', {}, cls === 'note' ? el('span', { class: 'label', text: 'Internal note' }) : null, el('b', { text: a.authorName }),
        el('span', { text: a.authorEmail && a.authorEmail !== a.authorName ? a.authorEmail : '' }), el('time', { datetime: a.createdAt, text: fmtTime(a.createdAt) })),
      renderBody(a));
  }));
}
async function loadSla() {
  const number = state.open;
  const [sla, countdown] = await Promise.all([api(`/api/v1/tickets/${number}/sla`), fetchCountdowns([number])]);
  if (number !== state.open) return;
  const box = $('sla');
  if (!sla.clocks.length) { state.sla = null; box.replaceChildren(el('p', { class: 'sub', text: 'No SLA policy applies.' })); return; }
  // Every clock still running or paused gets a countdown and a bar toward its target, ticking in business time only
  // (the calendar's working windows, as the queue's chip does).
  const live = sla.clocks.filter((c) => (c.state === 'running' || c.state === 'paused' || c.state === 'breached') && !c.stoppedAt);
  state.sla = { clocks: live.map((c) => ({ c, targetMs: parseIsoDuration(c.target), countedMs: parseIsoDuration(c.counted), warnAt: Math.min(...(c.warnings.map((w) => w.percent)), 75) })),
    evaluatedAtMs: Date.parse(sla.evaluatedAt), fetchedAtMs: Date.now(), windows: countdown[0]?.windows ?? [] };
  const clocks = state.sla.clocks.map(({ c }) => el('div', { class: 'clock', 'data-metric': c.metric },
    el('div', { class: 'title' }, el('span', { text: metricLabel[c.metric] || c.metric }), el('span', { class: 'left' })),
    el('div', { class: 'progress', role: 'progressbar', 'aria-label': `${metricLabel[c.metric] || c.metric}: share of the target used`, 'aria-valuemin': '0', 'aria-valuemax': '100' }, el('span')),
    el('div', { class: 'why' })));
  box.replaceChildren(...clocks, ...(clocks.length ? [el('h3', { class: 'cycles-head', text: 'History' })] : []), ...sla.clocks.map((c) => {
    const start = Date.parse(c.segments[0]?.from ?? c.startedAt), end = Date.parse(c.segments.at(-1)?.to ?? c.startedAt);
    const span = Math.max(1, end - start);
    const bar = el('div', { class: 'bar', role: 'img', 'aria-label': c.segments.map((s) => `${s.kind} ${fmtTime(s.from)}–${fmtTime(s.to)}`).join('; ') },
      ...c.segments.map((s) => el('span', { class: `seg-${s.kind}`, title: `${s.kind.replace('_', ' ')}: ${fmtTime(s.from)} – ${fmtTime(s.to)}`, style: `width:${(Date.parse(s.to) - Date.parse(s.from)) / span * 100}%` })));
    const sum = (k) => c.segments.filter((s) => s.kind === k).reduce((t, s) => t + Date.parse(s.to) - Date.parse(s.from), 0);
    const why = `Counted ${fmtDuration(parseIsoDuration(c.counted))} of ${fmtDuration(parseIsoDuration(c.target))}; ` +
      `outside hours ${fmtDuration(sum('outside_hours'))}, paused ${fmtDuration(sum('paused'))}` +
      (c.dueAt ? `; due ${fmtTime(c.dueAt)}` : '') + (c.breachedAt ? `; breached ${fmtTime(c.breachedAt)}` : '');
    return el('div', { class: 'cycle' }, el('div', { class: 'title' }, el('span', { text: `${metricLabel[c.metric] || c.metric} #${c.cycle}` }), el('span', { text: c.state })),
      bar, el('div', { class: 'why', text: why }));
  }), el('div', { class: 'legend' }, el('i', { class: 'seg-counting' }), 'counting', el('i', { class: 'seg-outside_hours' }), 'outside hours',
    el('i', { class: 'seg-paused' }), 'paused', el('i', { class: 'seg-stopped' }), 'stopped'));
}
/** The ticket view's countdowns, re-drawn every second. */
function tickSla() {
  if (!state.sla) return;
  const { evaluatedAtMs, fetchedAtMs, windows } = state.sla, serverNow = evaluatedAtMs + (Date.now() - fetchedAtMs);
  for (const { c, targetMs, countedMs, warnAt } of state.sla.clocks) {
    const box = document.querySelector(`#sla .clock[data-metric="${c.metric}"]`);
    if (!box) continue;
    const counted = countedMs + (c.state === 'paused' ? 0 : businessMsBetween(windows, evaluatedAtMs, serverNow));
    const left = targetMs - counted, pct = targetMs ? counted / targetMs * 100 : 100;
    box.className = `clock ${c.state === 'paused' ? 'paused' : left < 0 ? 'late' : pct >= warnAt ? 'warning' : 'ok'}`;
    box.querySelector('.left').textContent = c.state === 'paused' ? `Paused · ${fmtLeft(left)}` : left < 0 ? fmtLeft(left) : `${fmtDuration(left)} left`;
    box.dataset.remainingMs = String(Math.round(left));
    const bar = box.querySelector('.progress');
    bar.setAttribute('aria-valuenow', String(Math.min(100, Math.round(pct))));
    bar.setAttribute('aria-valuetext', `${Math.round(pct)}% of ${fmtDuration(targetMs)}`);
    bar.firstChild.style.width = `${Math.min(100, pct)}%`;
    box.querySelector('.why').textContent = `${fmtDuration(counted)} of ${fmtDuration(targetMs)} counted` +
      (c.state === 'paused' ? ' — the clock is paused while the ticket waits' : c.dueAt && left >= 0 ? `; due ${fmtTime(c.dueAt)}` : '');
  }
}
function renderPresence(viewers) {
  const others = viewers.filter((v) => v.agentEmail !== state.me.email);
  $('presence').replaceChildren(...others.map((v) => el('span', { class: `viewer${v.typing ? ' typing' : ''}`, 'data-agent': v.agentEmail,
    text: v.typing ? `${v.agentName} is typing…` : `${v.agentName} is viewing` })));
}

// ---------- Composer: typing indicator and the stale-reply guard ----------
function setTyping(on) {
  if (state.typing === on || state.open === null) return;
  state.typing = on;
  hub.invoke('Typing', state.open, on).catch(() => {});
}
$('reply-body').addEventListener('input', () => {
  setTyping($('reply-body').value.length > 0);
  clearTimeout(state.typingTimer);
  state.typingTimer = setTimeout(() => setTyping(false), 4000);
});
for (const r of document.querySelectorAll('input[name=visibility]')) r.addEventListener('change', () => $('composer').classList.toggle('internal', r.value === 'internal' && r.checked));
async function send(force) {
  const body = $('reply-body').value;
  if (!body.trim()) return;
  const visibility = document.querySelector('input[name=visibility]:checked').value;
  $('send').disabled = true; $('composer-status').textContent = 'Sending…'; $('composer-status').classList.remove('error');
  try {
    const cc = visibility === 'public' ? $('reply-cc').value.split(/[\s,;]+/).filter(Boolean) : [];
    await post(`/api/v1/tickets/${state.open}/replies`, { body, visibility, expectedVersion: visibility === 'public' ? state.composerVersion : null, cc });
    $('reply-body').value = ''; $('reply-cc').value = ''; $('stale').hidden = true; $('composer-status').textContent = 'Sent.';
    setTyping(false);
    await Promise.all([loadTicket(true), loadThread(), loadSla()]);
  } catch (e) {
    if (e.status === 409) {
      // Someone answered first. Show their reply, keep the draft, and let the agent confirm or rewrite.
      await Promise.all([loadThread(), loadTicket(false)]);
      $('stale').hidden = false; $('composer-status').textContent = 'Not sent.';
    } else {
      $('composer-status').textContent = `Not sent: ${problemText(e)}`;
      $('composer-status').classList.add('error');
    }
  } finally { $('send').disabled = false; }
}
$('composer').addEventListener('submit', (e) => { e.preventDefault(); send(); });
$('reply-body').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(); } });
$('send-anyway').addEventListener('click', () => { state.composerVersion = state.ticket.version; $('stale').hidden = true; send(); });

// ---------- Actions ----------
/** Runs an action; its error is shown next to the control that caused it (and the ticket re-read, so controls show the truth). */
async function act(errorId, fn) {
  const error = $(errorId);
  error.textContent = '';
  try { await fn(); await loadTicket(false); await loadSla(); } catch (e) {
    error.textContent = problemText(e);
    await loadTicket(false).catch(() => {});
  }
}
const setStatus = (status) => act('a-status-error', () => post(`/api/v1/tickets/${state.open}/status`, { status }));
$('a-status').addEventListener('change', () => setStatus($('a-status').value));
$('a-priority').addEventListener('change', () => act('a-priority-error', () => post(`/api/v1/tickets/${state.open}/priority`, { priority: $('a-priority').value })));
$('a-assign').addEventListener('click', () => act('a-assign-error', () => post(`/api/v1/tickets/${state.open}/assignment`, { agent: $('a-assignee').value || null })));
$('a-claim').addEventListener('click', () => act('a-claim-error', () => post(`/api/v1/tickets/${state.open}/claim`)));
$('a-tag').addEventListener('click', () => act('a-tag-error', async () => {
  const words = $('a-tags').value.split(/[\s,]+/).filter(Boolean);
  await post(`/api/v1/tickets/${state.open}/tags`, { add: words.filter((w) => !w.startsWith('-')), remove: words.filter((w) => w.startsWith('-')).map((w) => w.slice(1)) });
  $('a-tags').value = '';
}));

// ---------- Metric tiles ----------
async function loadTiles() {
  const tiles = await api(`/api/v1/console/tiles?timeZone=${encodeURIComponent(browserTimeZone())}`);
  const timeTile = (title, key) => el('div', { class: 'tile', 'data-tile': key }, el('h3', { text: title }), el('div', { class: 'row' },
    ...[['Today', tiles.today[key]], ['7 days', tiles.last7Days[key]]].map(([p, t]) => el('div', { class: 'period' }, el('small', { text: p }),
      el('div', { class: 'value', text: t.count ? fmtDuration(t.meanMs) : '—' }),
      el('div', { class: 'sub', text: t.count ? `median ${fmtDuration(t.medianMs)} · n=${t.count}` : 'no data yet' }),
      t.count ? el('div', { class: `sub ${t.attainment >= 0.9 ? 'ok' : 'bad'}`, text: `${Math.round(t.attainment * 100)}% within ${fmtDuration(t.targetMs)} target` } ) : null))));
  const fcr = el('div', { class: 'tile', 'data-tile': 'fcr' }, el('h3', { text: 'First contact resolution' }), el('div', { class: 'row' },
    ...[['Today', tiles.today.firstContactResolution], ['7 days', tiles.last7Days.firstContactResolution]].map(([p, t]) => el('div', { class: 'period' },
      el('small', { text: p }), el('div', { class: 'value', text: t.rate === null ? '—' : `${Math.round(t.rate * 100)}%` }),
      el('div', { class: 'sub', text: `${t.firstContact} of ${t.solved} solved` })))));
  $('tiles').replaceChildren(timeTile('First response time', 'firstResponse'), timeTile('Resolution time', 'resolution'), fcr);
}
let tilesTimer = null;
const refreshTilesSoon = () => { clearTimeout(tilesTimer); tilesTimer = setTimeout(() => loadTiles().catch(console.warn), 500); };

// ---------- Notifications ----------
function notify(data, ticket) {
  const li = el('li', { class: (data.kind || '').replace('.', '-') }, el('div', { text: data.message }),
    el('small', { text: `${data.kind}${ticket ? ' · #' + ticket : ''}${data.forTeam ? ' · team' : ''}` }));
  if (ticket) li.addEventListener('click', () => goTicket(ticket));
  $('notifications').prepend(li);
}

// ---------- Events: in order, once, with replay of gaps ----------
let applying = Promise.resolve();
function onEvent(e) { applying = applying.then(() => receive(e)).catch(console.warn); return applying; }
async function receive(e) {
  const last = state.lastSeq[e.stream] ?? 0;
  if (e.seq <= last) return;                  // already applied (replayed, or delivered twice)
  if (e.seq > last + 1) await catchUp(e.stream); // a gap: fetch what is missing first
  if (e.seq <= (state.lastSeq[e.stream] ?? 0)) return;
  apply(e);
}
async function catchUp(stream) {
  for (;;) {
    const after = state.lastSeq[stream] ?? 0;
    const page = await api(`/api/v1/console/events?stream=${encodeURIComponent(stream)}&after=${after}`);
    if (page.reset) {
      // What was missed is no longer kept (the console was away longer than the events' retention): reload instead.
      setSeq(stream, page.head);
      if (stream.startsWith('team:')) await loadQueue();
      return;
    }
    for (const e of page.events) if (e.seq === (state.lastSeq[e.stream] ?? 0) + 1) apply(e);
    if (!page.events.length || (state.lastSeq[stream] ?? 0) >= page.head) return;
  }
}
const changedTickets = new Set();
let changeTimer = null;
function apply(e) {
  setSeq(e.stream, e.seq);
  if (e.type === 'notification') { notify(e.data, e.ticket); return; }
  // A loaded row changes at once; whether the ticket entered or left the view (and the counts) the server says soon after.
  if (state.queue.has(e.ticket)) { state.queue.set(e.ticket, e.data.ticket); renderQueue(); }
  reloadQueueSoon();
  changedTickets.add(e.ticket);
  clearTimeout(changeTimer);
  changeTimer = setTimeout(flushChanges, 150);
}
async function flushChanges() {
  const numbers = [...changedTickets]; changedTickets.clear();
  refreshTilesSoon();
  await refreshCountdowns(numbers.filter((n) => state.queue.has(n))).catch(console.warn);
  const open = state.open;
  if (open !== null && numbers.includes(open) && !$('ticket').hidden)
    await Promise.all([loadTicket(false), loadThread(), loadSla()]).catch((e) => { if (open === state.open) showMissing(open, e); });
}

// ---------- Hub ----------
const hub = new signalR.HubConnectionBuilder().withUrl('/hubs/console').withAutomaticReconnect([0, 1000, 2000, 5000, 10000, 10000]).build();
hub.on('Event', onEvent);
hub.on('Presence', (ticket, viewers) => { if (ticket === state.open) renderPresence(viewers); });
function setConn(text, cls) { const c = $('connection'); c.textContent = text; c.className = `conn ${cls}`; }
hub.onreconnecting(() => setConn('reconnecting…', 'down'));
// After any reconnect: re-read the streams (groups are re-joined on connect), replay every gap, view the ticket again.
async function resync() {
  setConn('live', 'live');
  const hello = await hub.invoke('Hello');
  state.teams = hello.teams;
  for (const stream of Object.keys(hello.streams)) await (applying = applying.then(() => catchUp(stream)));
  if (state.open !== null) await hub.invoke('ViewTicket', state.open);
}
hub.onreconnected(() => resync().catch(console.warn));
// The automatic retries gave up (or the server closed the connection): keep trying, backing off, for as long as the page is open.
function restartSoon(delay) {
  setTimeout(async () => {
    try { await hub.start(); await resync(); } catch { restartSoon(Math.min(delay * 2, 15000)); }
  }, delay);
}
hub.onclose(() => { setConn('offline', 'down'); restartSoon(1000); });
setInterval(async () => {
  if (hub.state !== 'Connected' || state.open === null) return;
  if (!(await hub.invoke('Heartbeat').catch(() => true))) { await hub.invoke('ViewTicket', state.open); return; }
  // Lists pushed by different nodes may cross; a periodic read settles on the truth.
  const open = state.open, viewers = await api(`/api/v1/console/presence/${open}`).catch(() => null);
  if (viewers && open === state.open) renderPresence(viewers);
}, 15000);

// ---------- Pages: the queue (with the ticket view) and the reports, chosen by the URL hash ----------
// #/ (queue), #/?view=KEY (another queue view), #/ticket/N[?view=KEY] (queue with ticket N open; #/tickets/N also),
// #/reports/breaches|scorecards|dashboard?from=…&to=…&team=…, #/admin/quarantine?reason=… (admins), #/admin/macros,
// #/admin/<section>?… (the admin area, admin.js)
function route() {
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query || '');
  state.view = /^\/reports(\/|$)/.test(path) ? 'reports' : /^\/admin\/quarantine$/.test(path) ? 'quarantine' : /^\/admin\/macros$/.test(path) ? 'macros' : isAdminPath(path) ? 'admin' : 'queue';
  const queue = state.view === 'queue';
  $('tiles').hidden = !queue; $('layout').hidden = !queue; $('reports').hidden = state.view !== 'reports'; $('quarantine').hidden = state.view !== 'quarantine';
  $('macros').hidden = state.view !== 'macros';
  $('admin').hidden = state.view !== 'admin';
  document.body.classList.toggle('queue-view', queue);
  for (const a of document.querySelectorAll('.views a')) a.setAttribute('aria-current', String(a.dataset.view === state.view));
  if (state.view === 'reports') { showReports(path.slice('/reports'.length).replace(/^\//, ''), params, { me: state.me, teams: state.teams }).catch(console.error); return; }
  if (state.view === 'quarantine') { showQuarantine(params, { me: state.me }).catch(console.error); return; }
  if (state.view === 'macros') { showMacros({ me: state.me, teams: state.teams }).catch(console.error); return; }
  if (state.view === 'admin') { showAdmin(path, params, { me: state.me, teams: state.teams }).catch(console.error); return; }
  showView(params.get('view') || 'open').catch(console.warn);
  const ticket = /^\/tickets?\/(\d+)$/.exec(path);
  if (ticket) { if (+ticket[1] !== state.open || $('ticket').hidden) openTicket(+ticket[1]).catch(console.warn); }
  else if (state.open !== null || !$('ticket-missing').hidden) closeTicket();
}
window.addEventListener('hashchange', route);

// ---------- Search (GET /api/v1/search): results as you type, Enter or a click opens the ticket ----------
const search = { seq: 0, timer: null, query: '', page: 1, items: [], total: 0, exact: true, hasMore: false, active: -1 };
function snippet(segments) {
  // Server text goes in as text nodes; only the match flag decides where a <mark> goes.
  return el('div', { class: 's-snippet' }, ...(segments || []).map((s) => s.match ? el('mark', { text: s.text }) : document.createTextNode(s.text)));
}
function renderSearch() {
  const q = search.query;
  $('search-results').replaceChildren(...search.items.map((r, i) => {
    const li = el('li', { role: 'option', id: `s-${r.number}`, 'data-number': r.number, 'aria-selected': String(i === search.active) },
      el('div', { class: 's-head', text: `#${r.number} ${r.subject}` }),
      el('div', { class: 's-meta' }, el('span', { class: `pill ${r.priority}`, text: r.priority }), el('span', { class: 'pill', text: r.status.replace('_', ' ') }),
        `${r.requester?.name || r.requester?.address || ''} · ${r.team}${r.assignee ? ' · ' + r.assignee : ''} · ${fmtTime(r.updatedAt)}`),
      snippet(r.snippet));
    li.addEventListener('mousedown', (e) => e.preventDefault()); // keep focus in the box
    li.addEventListener('click', () => openResult(r.number));
    return li;
  }));
  const count = search.exact ? `${search.total}` : `More than ${search.total}`;
  $('search-status').textContent = search.items.length ? `${count} ${search.exact && search.total === 1 ? 'ticket matches' : 'tickets match'} “${q}”` : `No tickets match “${q}”.`;
  $('search-more').hidden = !search.hasMore;
  if (search.active >= 0) $('search').setAttribute('aria-activedescendant', `s-${search.items[search.active].number}`); else $('search').removeAttribute('aria-activedescendant');
  openSearchPanel(true);
}
function openSearchPanel(open) { $('search-panel').hidden = !open; $('search').setAttribute('aria-expanded', String(open)); }
async function runSearch(page) {
  const q = $('search').value.trim(), seq = ++search.seq;
  if (!q) { search.items = []; openSearchPanel(false); return; }
  let res;
  try { res = await api(`/api/v1/search?q=${encodeURIComponent(q)}&page=${page}&pageSize=25`); } catch (e) {
    if (seq !== search.seq) return;
    search.items = []; $('search-results').replaceChildren(); $('search-more').hidden = true;
    $('search-status').textContent = e.body?.errors ? problemText(e) : `Search failed: ${e.message}`;
    openSearchPanel(true);
    return;
  }
  if (seq !== search.seq) return; // a newer query was typed meanwhile
  search.query = q; search.page = page; search.total = res.total; search.exact = res.totalExact; search.hasMore = res.hasMore;
  search.items = page === 1 ? res.items : [...search.items, ...res.items];
  if (page === 1) search.active = search.items.length ? 0 : -1;
  renderSearch();
}
function openResult(number) {
  openSearchPanel(false);
  $('search').blur();
  goTicket(number);
}
$('search').addEventListener('input', () => { clearTimeout(search.timer); search.timer = setTimeout(() => runSearch(1), 250); });
$('search').addEventListener('focus', () => { if (search.items.length || $('search-status').textContent) openSearchPanel(!!$('search').value.trim()); });
$('search').addEventListener('blur', () => setTimeout(() => openSearchPanel(false), 150));
$('search-more').addEventListener('mousedown', (e) => e.preventDefault());
$('search-more').addEventListener('click', () => runSearch(search.page + 1));
$('search').addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    if (!search.items.length) return;
    search.active = Math.max(0, Math.min(search.items.length - 1, search.active + (e.key === 'ArrowDown' ? 1 : -1)));
    renderSearch();
    document.getElementById(`s-${search.items[search.active].number}`)?.scrollIntoView({ block: 'nearest' });
    e.preventDefault();
  } else if (e.key === 'Enter') {
    e.preventDefault();
    clearTimeout(search.timer);
    if (search.query === $('search').value.trim() && search.active >= 0) openResult(search.items[search.active].number);
    else runSearch(1).then(() => { if (search.items.length) openResult(search.items[0].number); });
  } else if (e.key === 'Escape') {
    e.stopPropagation();
    if (!$('search-panel').hidden) openSearchPanel(false); else $('search').blur();
  }
});

// ---------- Keyboard ----------
// Shift + a letter sets the open ticket's status (O open, P pending, H on hold, S solved).
const statusKeys = { O: 'open', P: 'pending', H: 'on_hold', S: 'solved' };
document.addEventListener('keydown', (e) => {
  const t = e.target;
  const typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;
  // The search box is in the top bar of every page.
  if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) { $('search').focus(); $('search').select(); e.preventDefault(); return; }
  if (document.querySelector('dialog[open]')) return;
  if (e.key === 'c' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) { openNewTicket({ teams: state.teams }); e.preventDefault(); return; }
  if (state.view !== 'queue') return;
  if (typing) {
    if (e.key === 'Escape') t.blur();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === 'j' || e.key === 'ArrowDown') { moveSelection(1); e.preventDefault(); }
  else if (e.key === 'k' || e.key === 'ArrowUp') { moveSelection(-1); e.preventDefault(); }
  else if (e.key === 'Enter' && state.selected !== null && !(t instanceof HTMLButtonElement || t instanceof HTMLAnchorElement)) { goTicket(state.selected); e.preventDefault(); }
  else if (e.key === 'r' && state.open !== null) { $('reply-body').focus(); e.preventDefault(); }
  else if (e.key === 'm' && state.open !== null) { openPicker(); e.preventDefault(); }
  else if (e.shiftKey && statusKeys[e.key] && state.open !== null && vocabulary.statuses.some((s) => s.name === statusKeys[e.key])) {
    $('a-status').value = statusKeys[e.key]; setStatus(statusKeys[e.key]); e.preventDefault();
  }
  else if (e.key === 'Escape' && (state.open !== null || !$('ticket-missing').hidden)) { location.hash = queueHash(); }
});

// ---------- Start ----------
async function start() {
  // Back from the sign-in page: the link that was asked for (the fragment never reaches the server).
  const returnHash = sessionStorage.getItem('helpdesk.returnHash');
  sessionStorage.removeItem('helpdesk.returnHash');
  if (returnHash && (!location.hash || location.hash === '#/')) history.replaceState(null, '', returnHash);
  state.me = await api('/api/v1/me');
  await loadVocabulary();
  fillOptions($('f-status'), vocabulary.statuses);
  fillOptions($('a-status'), vocabulary.statuses);
  fillOptions($('f-priority'), vocabulary.priorities);
  fillOptions($('a-priority'), vocabulary.priorities);
  fillOptions($('f-channel'), vocabulary.channels);
  state.csrf = session.csrf = state.me.csrfToken;
  $('me-name').textContent = state.me.name;
  $('logout-token').value = state.csrf;
  await hub.start();
  setConn('live', 'live');
  const hello = await hub.invoke('Hello');
  state.teams = hello.teams;
  for (const team of hello.teams) $('f-team').append(el('option', { value: team, text: team }));
  // Events pushed from here on are queued behind the initial load; the heads say what that load already contains.
  await (applying = applying.then(async () => {
    for (const [stream, seq] of Object.entries(hello.streams)) setSeq(stream, seq);
    const start = new URLSearchParams(location.hash.split('?')[1] || '');
    state.viewKey = /^#\/(tickets?\/\d+)?$/.test(location.hash.split('?')[0] || '#/') ? (start.get('view') || 'open') : 'open';
    await loadViews();
    await loadQueue();
    await loadTiles();
    const earlier = await api('/api/v1/notifications?unread=true&limit=20').catch(() => []);
    for (const n of earlier.reverse()) notify(n, n.ticketNumber);
  }));
  setInterval(() => { tickChips(); tickSla(); }, 1000);
  // The windows reach 14 days ahead; re-read them now and then so a console left open never runs past them.
  setInterval(() => refreshCountdowns([...state.queue.keys()]).catch(console.warn), 10 * 60 * 1000);
  // Agents get their own scorecard; leads and admins the whole reports area.
  const lead = state.me.role === 'lead' || state.me.role === 'admin';
  const nav = $('nav-reports');
  nav.textContent = lead ? 'Reports' : 'My scorecard';
  nav.href = lead ? '#/reports/dashboard' : '#/reports/scorecards';
  $('nav-quarantine').hidden = state.me.role !== 'admin';
  $('nav-macros').hidden = !lead;
  $('nav-admin').hidden = !lead;
  $('new-ticket-button').addEventListener('click', () => openNewTicket({ teams: state.teams }));
  initPicker({ number: () => state.open, version: () => state.composerVersion, ticket: () => state.ticket,
    reload: () => Promise.all([loadTicket(true), loadThread(), loadSla()]) });
  route();
  document.body.dataset.ready = 'true';
  if (state.view === 'queue' && state.open === null) $('queue').focus({ preventScroll: true });
}
start().catch((e) => { setConn('error', 'down'); console.error(e); });
