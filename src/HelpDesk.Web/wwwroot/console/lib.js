// Shared by the console's modules: DOM building (text only, never HTML), the HTTP client, formatting.
export const $ = (id) => document.getElementById(id);

// Every string goes in as a text node or an attribute value: API strings are never parsed as HTML.
function build(e, attrs, children) {
  for (const [k, v] of Object.entries(attrs)) {
    // Styles through the CSSOM: the Content-Security-Policy refuses inline style attributes.
    if (k === 'class') e.setAttribute('class', v); else if (k === 'text') e.textContent = v; else if (k === 'style') e.style.cssText = v; else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}
export const el = (tag, attrs = {}, ...children) => build(document.createElement(tag), attrs, children);
export const svg = (tag, attrs = {}, ...children) => build(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);

// ---------- HTTP ----------
export const session = { csrf: null };
export async function api(path, options = {}) {
  const headers = { 'Accept': 'application/json', ...(options.body ? { 'Content-Type': 'application/json' } : {}), ...options.headers };
  if (options.method && options.method !== 'GET') headers['X-CSRF-TOKEN'] = session.csrf;
  const res = await fetch(path, { ...options, headers, credentials: 'same-origin' });
  if (res.status === 401) { sessionStorage.setItem('helpdesk.returnHash', location.hash); location.href = '/login?returnUrl=/'; throw new Error('signed out'); }
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) { const err = new Error(body?.detail || body?.title || res.statusText); err.status = res.status; err.body = body; throw err; }
  return body;
}
export const post = (path, body) => api(path, { method: 'POST', body: JSON.stringify(body ?? {}) });

// ---------- Formatting ----------
/** A countdown: "3h 05m" or "4m 09s". */
export function fmtDuration(ms) {
  const neg = ms < 0; ms = Math.abs(ms);
  const s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const text = h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(sec).padStart(2, '0')}s`;
  return neg ? `-${text}` : text;
}
/** Time left on a clock: "3h 05m", or once past the target "30h 21m late" (never a minus sign). */
export const fmtLeft = (ms) => ms < 0 ? `${fmtDuration(-ms)} late` : fmtDuration(ms);
/** A span for reading rather than ticking: "4h", "3h 10m", "50m", "45s", "2d 3h"; "—" for no value. */
export function fmtSpan(ms) {
  if (ms === null || ms === undefined) return '—';
  const neg = ms < 0; ms = Math.abs(ms);
  const totalMin = Math.round(ms / 60000);
  let text;
  if (ms < 60000) text = `${Math.round(ms / 1000)}s`;
  else {
    const d = Math.floor(totalMin / 1440), h = Math.floor((totalMin % 1440) / 60), m = totalMin % 60;
    text = d > 0 ? (h ? `${d}d ${h}h` : `${d}d`) : h > 0 ? (m ? `${h}h ${m}m` : `${h}h`) : `${m}m`;
  }
  return neg ? `-${text}` : text;
}
/** What a refused request says: the field errors of its ProblemDetails, else its message. */
export const problemText = (e) => e.body?.errors ? Object.values(e.body.errors).flat().join(' ') : e.message;
/** "1 message", "3 messages": a count with its noun in the right number (English plural with -s). */
export const plural = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;
export const fmtPercent = (rate) => rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)}%`;
export const fmtTime = (iso) => iso ? new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : '—';
// Not a second reading of the server's duration rules (those are IsoDuration's): this only reads back what the SLA
// report writes (IsoDuration.Format: "PT27H30M", "PT0.5S", never days), to show it with fmtDuration like the countdowns.
export const parseIsoDuration = (d) => { const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(d || ''); return m ? ((+m[1] || 0) * 3600 + (+m[2] || 0) * 60 + (+m[3] || 0)) * 1000 : 0; };
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
/** The local calendar date of a Date as YYYY-MM-DD. */
export const localDate = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

// ---------- Vocabulary ----------
// Statuses (and which are open work), priorities and SLA clocks with their labels come from the server, which parses and
// prints the same words (GET /api/v1/vocabulary); loaded once before anything renders.
export const vocabulary = { statuses: [], priorities: [], metrics: [] };
export const metricLabel = {};
export async function loadVocabulary() {
  Object.assign(vocabulary, await api('/api/v1/vocabulary'));
  for (const m of vocabulary.metrics) metricLabel[m.name] = m.label;
}
export const isOpenStatus = (name) => vocabulary.statuses.some((s) => s.name === name && s.open);
/** Options for a select: the statuses (all, or open work only) or the priorities, after any fixed options already there. */
export function fillOptions(select, words) {
  select.append(...words.map((w) => typeof w === 'string' ? el('option', { value: w, text: w }) : el('option', { value: w.name, text: w.label })));
}
