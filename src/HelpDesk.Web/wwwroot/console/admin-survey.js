// Satisfaction survey settings (#/admin/survey): GET/PUT /api/v1/settings/survey. Until an admin saves them here the
// configuration's HelpDesk:Surveys apply; saving stores them in the database (audited) and they apply to the next solve.
// The settings health's survey finding (no PublicBaseUrl: no survey can be sent) is shown above the form.
import { el, api, write, field, showProblem, clearProblem, fmtTime } from './lib.js';

export async function show(root, ctx) {
  const [settings, health] = await Promise.all([api('/api/v1/settings/survey'), api('/api/v1/admin/health').catch(() => null)]);
  const blocked = health?.findings.filter((f) => f.code.startsWith('surveys.')) ?? [];
  const box = (id, label, checked) => el('label', { class: 'admin-check' }, el('input', { type: 'checkbox', id, checked, disabled: ctx.readOnly }), ` ${label}`);
  const validity = el('input', { id: 'sv-validityDays', type: 'number', min: '1', max: '3650', step: '1', value: String(settings.validityDays), disabled: ctx.readOnly });
  const error = el('p', { class: 'field-error', id: 'sv-error', role: 'alert' });
  const saved = el('span', { class: 'sub', id: 'sv-status', role: 'status' });
  const source = settings.source === 'configuration'
    ? 'These come from the configuration file (HelpDesk:Surveys). Once saved here, the saved settings apply instead.'
    : `Saved by ${settings.updatedBy} on ${fmtTime(settings.updatedAt)} (version ${settings.version}).`;
  const form = el('form', { class: 'macro-form', id: 'survey-form', novalidate: true },
    el('p', { class: 'sub', id: 'sv-source', text: source }),
    box('sv-enabled', 'Mail a satisfaction survey when a ticket is solved', settings.enabled),
    field('Links work for (days)', validity),
    box('sv-askNps', 'Also ask how likely they are to recommend us (0–10)', settings.askNps),
    box('sv-askCes', 'Also ask how easy it was to get the issue solved (1–7)', settings.askCes),
    ctx.readOnly ? el('p', { class: 'sub', text: 'Read-only: admins change these.' })
      : el('div', { class: 'dialog-foot' }, saved, error, el('button', { type: 'submit', class: 'primary', id: 'sv-save', text: 'Save' })));
  let version = settings.version;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    saved.textContent = '';
    try {
      const s = await write('PUT', '/api/v1/settings/survey', version, {
        enabled: form.querySelector('#sv-enabled').checked, validityDays: Number(validity.value),
        askNps: form.querySelector('#sv-askNps').checked, askCes: form.querySelector('#sv-askCes').checked,
      });
      version = s.version;
      clearProblem(form);
      error.textContent = '';
      form.querySelector('#sv-source').textContent = `Saved by ${s.updatedBy} on ${fmtTime(s.updatedAt)} (version ${s.version}).`;
      saved.textContent = 'Saved.';
    } catch (err) {
      showProblem(form, err, 'sv-', error);
      if (err.status === 412) error.textContent = 'Someone else saved these settings meanwhile. Reload the page to see them, then save again.';
    }
  });
  root.replaceChildren(el('div', { class: 'report-head' }, el('h1', { text: 'Satisfaction survey' })),
    ...blocked.map((f) => el('p', { class: 'error', role: 'alert', 'data-code': f.code }, el('strong', { text: f.problem }), ` ${f.breaks} Fix: ${f.fix}`)),
    form);
}
