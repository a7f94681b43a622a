// The admin area (#/admin/<section>?…): a list of sections on the left, the chosen one on the right. Each section is its
// own module, loaded when first opened, exporting `show(root, ctx)` (ctx: me, teams, params — the hash's query). Admins
// see every section; leads see the ones marked for them, read-only where the section says so (docs/console.md, "Admin").
// The quarantine (#/admin/quarantine) and macros (#/admin/macros) keep their own pages and are linked from here.
import { $, el, problemText } from './lib.js';

const sections = [
  { id: 'home', title: 'Overview', module: './admin-home.js', roles: ['admin', 'lead'] },
  { id: 'people', title: 'Teams and agents', module: './admin-people.js', roles: ['admin', 'lead'] },
  { id: 'calendars', title: 'Business calendars', module: './admin-calendars.js', roles: ['admin', 'lead'] },
  { id: 'sla-policies', title: 'SLA policies', module: './admin-sla.js', roles: ['admin', 'lead'] },
  { id: 'escalation', title: 'Escalation rules', module: './admin-escalation.js', roles: ['admin', 'lead'] },
  { id: 'mailboxes', title: 'Mailboxes', module: './admin-mailboxes.js', roles: ['admin'] },
  { id: 'outbox', title: 'Outbox', module: './admin-outbox.js', roles: ['admin'] },
  { id: 'quarantine', title: 'Quarantine', href: '#/admin/quarantine', roles: ['admin'] },
  { id: 'macros', title: 'Macros', href: '#/admin/macros', roles: ['admin', 'lead'] },
  { id: 'survey', title: 'Satisfaction survey', module: './admin-survey.js', roles: ['admin'] },
  { id: 'audit', title: 'Audit log', module: './admin-audit.js', roles: ['admin'] },
];
let generation = 0;

/** True when the hash path is one of the admin area's own sections (not the quarantine or macros pages). */
export const isAdminPath = (path) => /^\/admin(\/|$)/.test(path) && !/^\/admin\/(quarantine|macros)$/.test(path);

/** Renders #admin for the hash path /admin/<id> with its query <paramref name="params"/>. */
export async function showAdmin(path, params, ctx) {
  const root = $('admin');
  const mine = ++generation;
  const visible = sections.filter((s) => s.roles.includes(ctx.me.role));
  if (visible.length === 0) { root.replaceChildren(el('p', { class: 'empty', text: 'The admin area is for admins and team leads.' })); return; }
  const id = path.replace(/^\/admin\/?/, '') || 'home';
  const section = visible.find((s) => s.id === id && s.module);
  const nav = el('nav', { class: 'admin-nav', 'aria-label': 'Admin sections' }, el('ul', {},
    ...visible.map((s) => el('li', {}, el('a', { href: s.href ?? `#/admin/${s.id}`, 'aria-current': s === section ? 'page' : null, text: s.title })))));
  const body = el('section', { class: 'admin-body', id: 'admin-body', 'aria-live': 'polite' });
  root.replaceChildren(el('div', { class: 'admin-layout' }, nav, body));
  if (!section) { body.replaceChildren(el('p', { class: 'empty', text: 'There is no such admin page. Choose one from the list.' })); return; }
  body.replaceChildren(el('p', { class: 'sub', text: 'Loading…' }));
  try {
    const module = await import(section.module);
    if (mine !== generation) return;
    await module.show(body, { ...ctx, params, readOnly: ctx.me.role !== 'admin' });
  } catch (e) {
    if (mine === generation) body.replaceChildren(el('p', { class: 'error', role: 'alert', text: `This page could not be shown: ${problemText(e)}` }));
  }
}
