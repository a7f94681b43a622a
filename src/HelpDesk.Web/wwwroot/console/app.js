// The agent console: live queue, ticket view, presence, stale-reply guard, countdowns, notifications, metric tiles.
// Everything the server pushes carries (stream, seq); the console applies each sequence number once, in order, and
// fetches any gap (after a reconnect, or events from another node arriving early) from /api/v1/console/events.
import { $, el, api, post, session, fmtDuration, fmtTime, parseIsoDuration, browserTimeZone, vocabulary, metricLabel, loadVocabulary, isOpenStatus, fillOptions } from './lib.js';
import { showReports } from './reports.js';
import { showQuarantine } from './quarantine.js';

const state = {
  me: null, csrf: null, teams: [],
  lastSeq: {},            // stream -> last applied sequence
  queue: new Map(),       // number -> queue item
  countdowns: new Map(),  // number -> { c, evaluatedAtMs, fetchedAtMs }
  selected: null,         // number highlighted in the queue
  open: null,             // number of the ticket being viewed
  ticket: null,           // TicketDto of the open ticket
  composerVersion: null,  // the ticket version the draft was written against
  typing: false, typingTimer: null,
  view: 'queue',          // 'queue', 'reports' or 'quarantine'
};
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
  const text = c.state === 'paused' ? `paused ${fmtDuration(left)}` : left < 0 ? `${fmtDuration(left)} late` : fmtDuration(left);
  return { text, cls, title: `${label}: ${fmtDuration(left)} of business time left (target ${fmtDuration(c.targetMs)})`, left };
}
async function refreshCountdowns(numbers) {
  if (!numbers.length) return;
  const q = numbers.slice(0, 200).map((n) => `number=${n}`).join('&');
  const page = await api(`/api/v1/console/countdowns?${q}`);
  const fetchedAtMs = Date.now(), evaluatedAtMs = Date.parse(page.evaluatedAt);
  for (const n of numbers) state.countdowns.delete(n);
  for (const c of page.countdowns) {
    state.countdowns.set(c.number, { c, fetchedAtMs, evaluatedAtMs, windows: c.windows.map((w) => ({ fromMs: Date.parse(w.from), toMs: Date.parse(w.to) })) });
  }
  renderQueue();
}
function tickChips() {
  for (const li of document.querySelectorAll('#queue li')) {
    const chip = li.querySelector('.chip'), info = chipFor(+li.dataset.number);
    chip.textContent = info.text; chip.className = `chip ${info.cls}`; chip.title = info.title;
    if (info.left !== undefined) chip.dataset.remainingMs = String(Math.round(info.left));
  }
}

// ---------- Queue ----------
function upsertQueueItem(item) {
  if (!isOpenStatus(item.status) || !state.teams.includes(item.team)) state.queue.delete(item.number);
  else state.queue.set(item.number, item);
}
function visibleQueue() {
  const mine = $('f-mine').checked, unassigned = $('f-unassigned').checked;
  const team = $('f-team').value, status = $('f-status').value, priority = $('f-priority').value;
  const items = [...state.queue.values()].filter((t) =>
    (!mine || t.assigneeEmail === state.me.email) && (!unassigned || !t.assigneeEmail) &&
    (!team || t.team === team) && (!status || t.status === status) && (!priority || t.priority === priority));
  const due = (t) => { const e = state.countdowns.get(t.number); return e ? remainingNow(e, Date.now()) : (t.slaDueAt ? Date.parse(t.slaDueAt) - Date.now() : Infinity); };
  return items.sort((a, b) => due(a) - due(b) || Date.parse(a.createdAt) - Date.parse(b.createdAt));
}
function renderQueue() {
  const list = $('queue'), items = visibleQueue();
  list.replaceChildren(...items.map((t) => {
    const li = el('li', { role: 'option', id: `q-${t.number}`, 'data-number': t.number, 'aria-selected': String(t.number === state.selected), class: t.number === state.open ? 'open-t' : '' },
      el('div', { class: 'subj', text: `#${t.number} ${t.subject}` }),
      el('span', { class: 'chip' }),
      el('div', { class: 'meta' }, el('span', { class: `pill ${t.priority}`, text: t.priority }), el('span', { class: 'pill', text: t.status.replace('_', ' ') }),
        `${t.requesterName || t.requesterEmail} · ${t.team}${t.assigneeEmail ? ' · ' + t.assigneeEmail : ' · unassigned'}`));
    li.addEventListener('click', () => { select(t.number); openTicket(t.number); });
    return li;
  }));
  $('queue-empty').hidden = items.length > 0;
  if (state.selected === null && items.length) state.selected = items[0].number;
  tickChips();
}
async function loadQueue() {
  const page = await api('/api/v1/tickets?limit=200');
  state.queue.clear();
  for (const t of page.items) upsertQueueItem(t);
  renderQueue();
  await refreshCountdowns([...state.queue.keys()]);
}
function select(number) {
  state.selected = number;
  for (const li of document.querySelectorAll('#queue li')) li.setAttribute('aria-selected', String(+li.dataset.number === number));
  document.getElementById(`q-${number}`)?.scrollIntoView({ block: 'nearest' });
}
function moveSelection(delta) {
  const numbers = visibleQueue().map((t) => t.number);
  if (!numbers.length) return;
  const i = numbers.indexOf(state.selected);
  select(numbers[Math.max(0, Math.min(numbers.length - 1, i < 0 ? 0 : i + delta))]);
}

// ---------- Ticket view ----------
async function openTicket(number) {
  if (state.open !== number) { $('reply-body').value = ''; $('stale').hidden = true; setTyping(false); }
  state.open = number;
  $('ticket-placeholder').hidden = true; $('ticket').hidden = false;
  renderQueue();
  await Promise.all([loadTicket(true), loadThread(), loadSla()]);
  // The viewers list arrives as a push (ordered on the server); the invocation's own answer could be older than a push.
  try { await hub.invoke('ViewTicket', number); } catch (e) { console.warn(e); }
}
async function loadTicket(resetComposer) {
  const t = await api(`/api/v1/tickets/${state.open}`);
  state.ticket = t;
  if (resetComposer || state.composerVersion === null || !$('reply-body').value.trim()) state.composerVersion = t.version;
  $('t-subject').textContent = `#${t.number} ${t.subject}`;
  $('a-status').value = t.status; $('a-priority').value = t.priority;
  $('a-assignee').value = t.assignee?.email || '';
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
    el('a', { href: '#', 'data-open': x.number, text: `#${x.number} ${x.subject}` }), ' ', el('span', { class: 'pill', text: x.status }),
    x.satisfaction ? el('span', { class: 'pill', text: `CSAT ${x.satisfaction}` }) : null)) : [el('li', { class: 'sub', text: 'No other tickets.' })]));
  for (const a of $('history').querySelectorAll('a[data-open]')) a.addEventListener('click', (e) => { e.preventDefault(); openTicket(+a.dataset.open); });
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
  const articles = await api(`/api/v1/tickets/${state.open}/articles`);
  $('thread').replaceChildren(...articles.map((a) => {
    const cls = a.visibility === 'internal' ? (a.kind === 'system' ? 'system' : 'note') : a.authorType === 'agent' ? 'agent' : 'customer';
    return el('li', { class: `msg ${cls}`, 'data-article': a.id },
      el('header', {}, cls === 'note' ? el('span', { class: 'label', text: 'Internal note' }) : null, el('b', { text: a.authorName }),
        el('span', { text: a.authorEmail && a.authorEmail !== a.authorName ? a.authorEmail : '' }), el('time', { datetime: a.createdAt, text: fmtTime(a.createdAt) })),
      renderBody(a));
  }));
}
async function loadSla() {
  const sla = await api(`/api/v1/tickets/${state.open}/sla`);
  const box = $('sla');
  if (!sla.clocks.length) { box.replaceChildren(el('p', { class: 'sub', text: 'No SLA policy applies.' })); return; }
  box.replaceChildren(...sla.clocks.map((c) => {
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
  $('send').disabled = true; $('composer-status').textContent = 'Sending…';
  try {
    await post(`/api/v1/tickets/${state.open}/replies`, { body, visibility, expectedVersion: visibility === 'public' ? state.composerVersion : null });
    $('reply-body').value = ''; $('stale').hidden = true; $('composer-status').textContent = 'Sent.';
    setTyping(false);
    await Promise.all([loadTicket(true), loadThread(), loadSla()]);
  } catch (e) {
    if (e.status === 409) {
      // Someone answered first. Show their reply, keep the draft, and let the agent confirm or rewrite.
      await Promise.all([loadThread(), loadTicket(false)]);
      $('stale').hidden = false; $('composer-status').textContent = 'Not sent.';
    } else { $('composer-status').textContent = `Not sent: ${e.message}`; }
  } finally { $('send').disabled = false; }
}
$('composer').addEventListener('submit', (e) => { e.preventDefault(); send(); });
$('send-anyway').addEventListener('click', () => { state.composerVersion = state.ticket.version; $('stale').hidden = true; send(); });

// ---------- Actions ----------
async function act(fn) {
  try { await fn(); await loadTicket(false); await loadSla(); } catch (e) { $('composer-status').textContent = e.message; }
}
$('a-status').addEventListener('change', () => act(() => post(`/api/v1/tickets/${state.open}/status`, { status: $('a-status').value })));
$('a-priority').addEventListener('change', () => act(() => post(`/api/v1/tickets/${state.open}/priority`, { priority: $('a-priority').value })));
$('a-assign').addEventListener('click', () => act(() => post(`/api/v1/tickets/${state.open}/assignment`, { agent: $('a-assignee').value || null })));
$('a-claim').addEventListener('click', () => act(() => post(`/api/v1/tickets/${state.open}/claim`)));
$('a-tag').addEventListener('click', () => act(async () => {
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
  if (ticket) li.addEventListener('click', () => openTicket(ticket));
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
  upsertQueueItem(e.data.ticket);
  renderQueue();
  changedTickets.add(e.ticket);
  clearTimeout(changeTimer);
  changeTimer = setTimeout(flushChanges, 150);
}
async function flushChanges() {
  const numbers = [...changedTickets]; changedTickets.clear();
  refreshTilesSoon();
  await refreshCountdowns(numbers.filter((n) => state.queue.has(n))).catch(console.warn);
  if (state.open !== null && numbers.includes(state.open)) await Promise.all([loadTicket(false), loadThread(), loadSla()]).catch(console.warn);
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

// ---------- Views: the queue (with the ticket view) and the reports, chosen by the URL hash ----------
// #/ (queue), #/ticket/N (queue with ticket N open), #/reports/breaches|scorecards|dashboard?from=…&to=…&team=…,
// #/admin/quarantine?reason=… (admins)
function route() {
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  state.view = /^\/reports(\/|$)/.test(path) ? 'reports' : /^\/admin\/quarantine$/.test(path) ? 'quarantine' : 'queue';
  const queue = state.view === 'queue';
  $('tiles').hidden = !queue; $('layout').hidden = !queue; $('reports').hidden = state.view !== 'reports'; $('quarantine').hidden = state.view !== 'quarantine';
  for (const a of document.querySelectorAll('.views a')) a.setAttribute('aria-current', String(a.dataset.view === state.view));
  if (state.view === 'reports') { showReports(path.slice('/reports'.length).replace(/^\//, ''), new URLSearchParams(query || ''), { me: state.me, teams: state.teams }).catch(console.error); return; }
  if (state.view === 'quarantine') { showQuarantine(new URLSearchParams(query || ''), { me: state.me }).catch(console.error); return; }
  const ticket = /^\/ticket\/(\d+)$/.exec(path);
  if (ticket) { select(+ticket[1]); openTicket(+ticket[1]).catch(console.warn); }
}
window.addEventListener('hashchange', route);

// ---------- Keyboard ----------
document.addEventListener('keydown', (e) => {
  const t = e.target;
  if (state.view !== 'queue') return;
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) {
    if (e.key === 'Escape') t.blur();
    return;
  }
  if (e.key === 'j' || e.key === 'ArrowDown') { moveSelection(1); e.preventDefault(); }
  else if (e.key === 'k' || e.key === 'ArrowUp') { moveSelection(-1); e.preventDefault(); }
  else if (e.key === 'Enter' && state.selected !== null) { openTicket(state.selected); e.preventDefault(); }
  else if (e.key === 'r' && state.open !== null) { $('reply-body').focus(); e.preventDefault(); }
  else if (e.key === 'Escape') { hub.invoke('LeaveTicket').catch(() => {}); state.open = null; $('ticket').hidden = true; $('ticket-placeholder').hidden = false; renderQueue(); }
});
for (const id of ['f-mine', 'f-unassigned', 'f-team', 'f-status', 'f-priority']) $(id).addEventListener('change', renderQueue);

// ---------- Start ----------
async function start() {
  state.me = await api('/api/v1/me');
  await loadVocabulary();
  fillOptions($('f-status'), vocabulary.statuses.filter((s) => s.open));
  fillOptions($('a-status'), vocabulary.statuses);
  fillOptions($('f-priority'), vocabulary.priorities);
  fillOptions($('a-priority'), vocabulary.priorities);
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
    await loadQueue();
    await loadTiles();
    const earlier = await api('/api/v1/notifications?unread=true&limit=20').catch(() => []);
    for (const n of earlier.reverse()) notify(n, n.ticketNumber);
  }));
  setInterval(tickChips, 1000);
  // The windows reach 14 days ahead; re-read them now and then so a console left open never runs past them.
  setInterval(() => refreshCountdowns([...state.queue.keys()]).catch(console.warn), 10 * 60 * 1000);
  // Agents get their own scorecard; leads and admins the whole reports area.
  const lead = state.me.role === 'lead' || state.me.role === 'admin';
  const nav = $('nav-reports');
  nav.textContent = lead ? 'Reports' : 'My scorecard';
  nav.href = lead ? '#/reports/dashboard' : '#/reports/scorecards';
  $('nav-quarantine').hidden = state.me.role !== 'admin';
  route();
  document.body.dataset.ready = 'true';
  if (state.view === 'queue') $('queue').focus();
}
start().catch((e) => { setConn('error', 'down'); console.error(e); });
