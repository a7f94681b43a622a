// "New ticket" (button or c): a ticket opened by an agent for a caller or a walk-in — requester found as you type or
// entered new, subject, description, priority, team, channel and an optional first reply — through POST /api/v1/tickets,
// the same command as the API. Each field's error from the problem details appears beside the field; the created ticket opens.
import { $, el, api, post, vocabulary, fillOptions } from './lib.js';

// The problem details' field names (ValidationProblemDetails.errors keys) → the element beside which each is shown.
const fields = {
  'requester.email': 'nt-email', 'requester.name': 'nt-name', requester: 'nt-email', subject: 'nt-subject', body: 'nt-body',
  priority: 'nt-priority', team: 'nt-team', channel: 'nt-channel', 'firstReply.body': 'nt-reply', 'firstReply.visibility': 'nt-reply-visibility',
};

let built = false;
const field = (label, control) => {
  const error = el('span', { class: 'field-error', id: `${control.id}-error`, role: 'alert' });
  control.setAttribute('aria-describedby', error.id);
  return el('div', { class: 'field' }, el('label', { for: control.id, text: label }), control, error);
};

function build(teams) {
  const dialog = el('dialog', { id: 'new-ticket', class: 'dialog', 'aria-labelledby': 'nt-title' });
  const find = el('input', { id: 'nt-find', type: 'search', autocomplete: 'off', placeholder: 'Name or address of an existing customer', role: 'combobox',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'nt-find-results' });
  const results = el('ul', { id: 'nt-find-results', class: 'nt-results', role: 'listbox', 'aria-label': 'Customers found', hidden: true });
  const priority = el('select', { id: 'nt-priority' });
  fillOptions(priority, vocabulary.priorities);
  priority.value = 'normal';
  const team = el('select', { id: 'nt-team' }, ...teams.map((t) => el('option', { value: t, text: t })));
  const channel = el('select', { id: 'nt-channel' });
  fillOptions(channel, (vocabulary.channels || []).filter((c) => c !== 'api'));
  channel.value = 'phone';
  const visibility = el('select', { id: 'nt-reply-visibility' }, el('option', { value: 'public', text: 'Reply to customer' }), el('option', { value: 'internal', text: 'Internal note' }));
  const form = el('form', { id: 'nt-form', method: 'dialog', novalidate: true },
    el('h2', { id: 'nt-title', text: 'New ticket' }),
    el('fieldset', {}, el('legend', { text: 'Requester' }),
      el('div', { class: 'field' }, el('label', { for: 'nt-find', text: 'Find a customer' }), find, results),
      el('div', { class: 'row2' }, field('E-mail', el('input', { id: 'nt-email', type: 'email', autocomplete: 'off', maxlength: '254' })),
        field('Name', el('input', { id: 'nt-name', autocomplete: 'off', maxlength: '200' })))),
    field('Subject', el('input', { id: 'nt-subject', maxlength: '250' })),
    field('Description', el('textarea', { id: 'nt-body', rows: '4', placeholder: 'What the caller needs' })),
    el('div', { class: 'row3' }, field('Priority', priority), field('Team', team), field('Channel', channel)),
    el('fieldset', {}, el('legend', { text: 'First reply (optional)' }),
      field('Answer given', el('textarea', { id: 'nt-reply', rows: '3', placeholder: 'Leave empty to answer later' })), field('As', visibility)),
    el('p', { id: 'nt-error', class: 'field-error', role: 'alert' }),
    el('div', { class: 'dialog-foot' }, el('button', { type: 'button', id: 'nt-cancel', text: 'Cancel' }),
      el('button', { type: 'submit', id: 'nt-create', class: 'primary', text: 'Create ticket' })));
  dialog.append(form);
  document.body.append(dialog);

  let seq = 0, timer = null, found = [];
  const showResults = (open) => { results.hidden = !open; find.setAttribute('aria-expanded', String(open)); };
  const choose = (c) => { $('nt-email').value = c.email; $('nt-name').value = c.name; find.value = `${c.name} <${c.email}>`; showResults(false); $('nt-subject').focus(); };
  find.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = find.value.trim(), mine = ++seq;
      if (!q) { showResults(false); return; }
      found = await api(`/api/v1/customers?q=${encodeURIComponent(q)}&limit=8`).catch(() => []);
      if (mine !== seq) return;
      results.replaceChildren(...(found.length ? found.map((c, i) => {
        const li = el('li', { role: 'option', id: `nt-c-${i}`, 'aria-selected': String(i === 0), 'data-email': c.email },
          el('strong', { text: c.name }), ' ', el('span', { class: 'sub', text: c.email }));
        li.addEventListener('mousedown', (e) => e.preventDefault());
        li.addEventListener('click', () => choose(c));
        return li;
      }) : [el('li', { class: 'sub', text: 'No customer found: enter the address and name of a new one below.' })]));
      showResults(true);
    }, 200);
  });
  find.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); if (found.length && !results.hidden) choose(found[0]); }
    else if (e.key === 'Escape' && !results.hidden) { e.preventDefault(); e.stopPropagation(); showResults(false); }
  });
  $('nt-cancel').addEventListener('click', () => dialog.close());
  form.addEventListener('submit', (e) => { e.preventDefault(); create(); });
}

function clearErrors() { for (const e of document.querySelectorAll('#new-ticket .field-error')) e.textContent = ''; }

async function create() {
  clearErrors();
  const reply = $('nt-reply').value;
  const body = {
    subject: $('nt-subject').value, body: $('nt-body').value,
    requester: { email: $('nt-email').value.trim(), name: $('nt-name').value.trim() || null },
    priority: $('nt-priority').value, team: $('nt-team').value, channel: $('nt-channel').value,
    firstReply: reply.trim() ? { body: reply, visibility: $('nt-reply-visibility').value } : null,
  };
  $('nt-create').disabled = true;
  try {
    const ticket = await post('/api/v1/tickets', body);
    $('new-ticket').close();
    location.hash = `#/ticket/${ticket.number}`;
  } catch (e) {
    const errors = e.body?.errors;
    if (errors) {
      let first = null;
      for (const [key, messages] of Object.entries(errors)) {
        const id = fields[key];
        const target = id ? $(`${id}-error`) : $('nt-error');
        target.textContent = [target.textContent, ...messages].filter(Boolean).join(' ');
        first ??= id ? $(id) : null;
      }
      first?.focus();
    } else $('nt-error').textContent = e.message;
  } finally { $('nt-create').disabled = false; }
}

/** Opens the form, empty, with the agent's teams to choose from. */
export function openNewTicket(ctx) {
  if (!built) { build(ctx.teams); built = true; }
  $('nt-form').reset();
  $('nt-priority').value = 'normal'; $('nt-channel').value = 'phone';
  $('nt-find-results').hidden = true;
  clearErrors();
  $('new-ticket').showModal();
  $('nt-find').focus();
}
