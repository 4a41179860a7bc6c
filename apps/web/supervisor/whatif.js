// What-if before it happens: the peace/war switch and a policy rollout first show their preview (the
// API's POST …/preview, which changes nothing); only the supervisor's confirm, carrying the preview's
// id, does it, exactly as shown. When the data moved in between the API answers 409 with the new
// preview, shown here to confirm again. Also the policy versions and a new version's form.
import { command, fieldProblems, getJson, newRequestKey, postJson, problemDetail } from '/app/shared/api.js';
import { fill, h, table } from '/app/shared/dom.js';
import { commandForm, field, formRefusal, showProblems } from '/app/shared/forms.js';

const MODES = ['peace', 'war'];
const CATEGORIES = ['A', 'B', 'C', 'D'];
/** How often a running rollout's progress is read again. */
const PROGRESS_MS = 1000;

const failure = (t, result) => h('p', { class: 'notice-alert', 'data-testid': 'form-error' }, result.status === 0 ? t('error.network') : t('error.failed', { message: problemDetail(result) }));
const counts = (items) => h('div', { class: 'counts' }, items.map(([label, value, testid]) => h('div', { class: 'count-box', 'data-testid': testid }, h('strong', {}, value), h('span', {}, label))));

/**
 * The preview in `element` with its confirm: `confirm(previewId, key)` answers the command's result;
 * a 409 carrying `preview` draws that one (saying the data moved), an accepted answer goes to `done`.
 * One key per preview confirmed: sent again after a lost answer, it is done once.
 */
function offerPreview(app, element, preview, { draw, confirm, done }, moved = false) {
  const { t } = app.shell;
  const key = newRequestKey();
  const button = h('button', { type: 'button', class: 'primary', 'data-testid': 'confirm' }, t('preview.confirm'));
  const outcome = h('div', { role: 'status' });
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = t('preview.confirming');
    const result = await confirm(preview.previewId, key);
    if (result.ok) return done(result.body);
    if (result.status === 409 && result.body?.preview) return offerPreview(app, element, result.body.preview, { draw, confirm, done }, true);
    button.disabled = false;
    button.textContent = t('preview.confirm');
    fill(outcome, failure(t, result));
  });
  fill(
    element,
    h(
      'section',
      { class: 'panel preview', 'data-testid': 'preview', 'data-preview-id': preview.previewId },
      moved ? h('p', { class: 'notice-alert', 'data-testid': 'preview-moved', role: 'alert' }, t('preview.moved')) : null,
      h('h2', {}, t('preview.title')),
      draw(preview),
      h('div', { class: 'actions' }, button, h('button', { type: 'button', class: 'secondary', onclick: () => fill(element) }, t('preview.cancel'))),
      outcome,
    ),
  );
}

/**
 * The form asks for a preview (POST `url` with `body()`, changing nothing): a refused field shows its
 * reason beside it; a preview is offered in `previewArea` to confirm with what was asked
 * (`confirm(asked, previewId, key)`).
 */
function previewOnSubmit(app, { form, submit, outcome, previewArea, url, body }, { draw, confirm, done }) {
  const { t } = app.shell;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    fill(outcome, h('p', { class: 'muted' }, t('mode.previewing')), h('progress', {}));
    fill(previewArea);
    const asked = body();
    const preview = await postJson(url, asked);
    submit.disabled = false;
    const others = showProblems(form, fieldProblems(preview));
    if (!preview.ok) {
      const message = formRefusal(preview, others, t('error.network'));
      return fill(outcome, message ? h('p', { class: 'notice-alert', 'data-testid': 'form-error' }, t('error.failed', { message })) : null);
    }
    fill(outcome);
    offerPreview(app, previewArea, preview.body, { draw, confirm: (previewId, key) => confirm(asked, previewId, key), done });
  });
}

/** Who is told, from the preview's notices (`staff:<id>` → the id). */
function noticeList(t, notices) {
  if (!notices.length) return h('p', { class: 'muted' }, t('preview.noNotices'));
  return h('div', {}, h('h3', {}, t('preview.noticeList')), h('ul', { class: 'chips', 'data-testid': 'preview-notices' }, notices.map((n) => h('li', {}, typeof n === 'string' ? n : n.recipient.replace(/^staff:/, '')))));
}

/** The peace/war switch of a community (#/mode/<jurisdiction>). */
export async function showMode(app, jurisdiction = '') {
  const { t } = app.shell;
  const epoch = app.epoch;
  const input = h('input', { name: 'jurisdiction', value: jurisdiction, required: true, maxlength: 80 });
  const pick = h(
    'form',
    { class: 'form inline-form', onsubmit: (event) => (event.preventDefault(), (location.hash = `#/mode/${encodeURIComponent(input.value.trim())}`)) },
    field(t('mode.jurisdiction'), input),
    h('button', { type: 'submit', class: 'secondary' }, t('mode.open')),
  );
  const body = h('div', {});
  fill(app.view, h('section', { class: 'panel' }, h('h2', {}, t('mode.title')), pick), body);
  if (!jurisdiction) return;
  fill(body, h('p', { class: 'muted' }, t('loading')));
  const result = await getJson(`/jurisdictions/${encodeURIComponent(jurisdiction)}/mode`);
  if (epoch !== app.epoch) return;
  if (!result.ok) return fill(body, h('p', { class: 'notice-alert' }, t('error.load', { message: problemDetail(result) })));
  const mode = result.body;
  const to = MODES.find((m) => m !== mode.mode);
  const reason = h('input', { name: 'reason', maxlength: 500, required: true });
  const ask = () => ({ mode: to, by: app.shell.user.displayName, reason: reason.value.trim() || undefined });
  const previewArea = h('div', {});
  const submit = h('button', { type: 'submit', class: 'primary' }, t('mode.preview'));
  const outcome = h('div', { role: 'status' });
  const form = h('form', { class: 'form', 'data-testid': 'mode-form', novalidate: true }, field(t('mode.reason'), reason), h('div', { class: 'actions' }, submit), outcome);
  previewOnSubmit(app, { form, submit, outcome, previewArea, url: `/jurisdictions/${encodeURIComponent(jurisdiction)}/mode/preview`, body: ask }, {
    draw: (p) => drawModePreview(app, p),
    confirm: (asked, previewId, key) => command(`/jurisdictions/${encodeURIComponent(jurisdiction)}/mode`, { ...asked, previewId }, key),
    done: (switched) => {
      fill(previewArea, h('p', { class: 'notice-ok', 'data-testid': 'mode-switched' }, t('mode.switched', { mode: t(`mode.${switched.to}`), added: switched.added.length, cancelled: switched.cancelled.length, reassigned: switched.reassigned.length })));
      setTimeout(() => epoch === app.epoch && showMode(app, jurisdiction), 2500);
    },
  });
  fill(
    body,
    h(
      'section',
      { class: 'panel', 'data-testid': 'mode' },
      h('div', { class: 'panel-head' }, h('h2', { 'data-testid': 'mode-now' }, t('mode.now', { mode: t(`mode.${mode.mode}`) })), h('span', { class: 'muted' }, mode.changedAt ? `${app.time(mode.changedAt)} · ${mode.changedBy}` : '')),
      h('p', {}, t('mode.posts'), mode.postIds.map((id, i) => [i ? '、' : '', h('a', { href: `#/roster/${encodeURIComponent(id)}` }, id)])),
      h('h3', {}, t('mode.to', { mode: t(`mode.${to}`) })),
      form,
    ),
    previewArea,
    mode.switches.length
      ? h('section', { class: 'panel' }, h('h2', {}, t('mode.history')), table([t('report.date'), t('mode.switch'), t('mode.reason')], mode.switches.map((s) => h('tr', {}, h('td', {}, app.time(s.effectiveAt)), h('td', {}, `${t(`mode.${s.from}`)} → ${t(`mode.${s.to}`)} · ${s.by}`), h('td', { class: 'wrap' }, s.reason)))))
      : null,
  );
}

function drawModePreview(app, preview) {
  const { t } = app.shell;
  const shiftList = (title, ids, testid) => (ids.length ? h('div', { 'data-testid': testid }, h('h3', {}, `${title} (${ids.length})`), h('ul', { class: 'chips' }, ids.map((id) => h('li', { class: 'mono' }, id)))) : null);
  return [
    h('p', {}, `${t(`mode.${preview.from}`)} → ${t(`mode.${preview.to}`)} · ${t('preview.window', preview.window)}`),
    counts([
      [t('preview.shifts'), preview.counts.shifts, 'count-shifts'],
      [t('preview.people'), preview.counts.people, 'count-people'],
      [t('preview.notices'), preview.counts.notices, 'count-notices'],
    ]),
    shiftList(t('preview.added'), preview.added, 'preview-added'),
    shiftList(t('preview.cancelled'), preview.cancelled),
    shiftList(t('preview.reassigned'), preview.reassigned.map((r) => `${r.shiftId}: ${r.from ?? '—'} → ${r.to ?? '—'}`)),
    shiftList(t('preview.unfilled'), preview.unfilled.map((u) => `${u.seatId}: ${u.reason}`)),
    noticeList(t, preview.notices),
  ];
}

/** The policy versions, a rollout of one (previewed, then its progress), and a new version's form. */
export async function showPolicies(app) {
  const { t, term } = app.shell;
  const epoch = app.epoch;
  fill(app.view, h('p', { class: 'muted' }, t('loading')));
  const result = await getJson('/observation-policies?pageSize=200');
  if (epoch !== app.epoch) return;
  if (!result.ok) return fill(app.view, h('p', { class: 'notice-alert' }, t('error.load', { message: problemDetail(result) })));
  const rollout = h('div', { 'data-testid': 'rollout' });
  const rows = result.body.items.map((p) =>
    h(
      'tr',
      { 'data-policy': p.id },
      h('td', { class: 'mono' }, p.id),
      h('td', {}, term('category', p.category)),
      h('td', {}, p.effectiveFrom),
      h('td', { class: 'wrap' }, t('policies.rulesText', { days: p.rules.periodDays, slots: p.rules.slots.map((s) => `${s.start}-${s.end}`).join(', '), fever: p.rules.feverThreshold, grace: p.rules.graceMinutes })),
      h('td', {}, h('button', { type: 'button', class: 'secondary', 'data-action': 'rollout', onclick: () => showRollout(app, rollout, p) }, t('policies.rollout'))),
    ),
  );
  fill(
    app.view,
    h('section', { class: 'panel' }, h('h2', {}, t('policies.title')), h('div', { class: 'table-wrap' }, table([t('policies.id'), t('policies.category'), t('policies.effectiveFrom'), t('policies.rules'), ''], rows, { 'data-testid': 'policies' }))),
    rollout,
    newPolicyPanel(app),
  );
}

function showRollout(app, element, policy) {
  const { t } = app.shell;
  const subdistrict = h('input', { name: 'subdistrict', maxlength: 8 });
  const community = h('input', { name: 'community', maxlength: 60 });
  const place = () => ({ subdistrict: subdistrict.value.trim() || undefined, community: community.value.trim() || undefined });
  const previewArea = h('div', {});
  const submit = h('button', { type: 'submit', class: 'primary' }, t('mode.preview'));
  const outcome = h('div', { role: 'status' });
  const form = h('form', { class: 'form columns', 'data-testid': 'rollout-form', novalidate: true }, field(t('rollout.subdistrict'), subdistrict), field(t('rollout.community'), community), h('div', { class: 'actions span' }, submit), outcome);
  const base = `/observation-policies/${encodeURIComponent(policy.id)}/rollouts`;
  previewOnSubmit(app, { form, submit, outcome, previewArea, url: `${base}/preview`, body: place }, {
    draw: (p) => [
      counts([
        [t('preview.observations'), p.observations, 'count-observations'],
        [t('preview.people'), p.observations, 'count-people'],
        [t('preview.notices'), p.notices.length, 'count-notices'],
      ]),
      p.byPlace.length ? h('div', {}, h('h3', {}, t('preview.byPlace')), table([t('rollout.subdistrict'), t('rollout.community'), t('preview.observations')], p.byPlace.map((b) => h('tr', {}, h('td', {}, b.subdistrict), h('td', {}, b.community), h('td', { class: 'num' }, b.observations))))) : null,
      noticeList(t, p.notices),
    ],
    confirm: (asked, previewId, key) => command(base, { by: app.shell.user.displayName, ...asked, previewId }, key),
    done: (started) => followRollout(app, previewArea, started.rolloutId),
  });
  fill(element, h('section', { class: 'panel' }, h('h2', {}, t('rollout.title', { id: policy.id })), form), previewArea);
  subdistrict.focus();
}

/** A started rollout's progress, read until it is done (or the view is left). */
async function followRollout(app, element, rolloutId) {
  const { t } = app.shell;
  const epoch = app.epoch;
  const bar = h('progress', { max: 1, value: 0 });
  const line = h('p', { 'data-testid': 'rollout-progress' }, t('rollout.started'));
  const skipped = h('ul', { class: 'muted' });
  fill(element, h('section', { class: 'panel', 'data-testid': 'rollout-status' }, h('h2', {}, t('rollout.started')), bar, line, skipped));
  for (;;) {
    const result = await getJson(`/observation-policies/rollouts/${encodeURIComponent(rolloutId)}`);
    if (epoch !== app.epoch) return;
    if (result.ok) {
      const p = result.body;
      bar.max = Math.max(p.total, 1);
      bar.value = p.moved + p.skipped.length;
      line.textContent = `${p.done ? `${t('rollout.done')} · ` : ''}${t('rollout.progress', { moved: p.moved, total: p.total, skipped: p.skipped.length })}`;
      line.className = p.done ? 'notice-ok' : '';
      fill(skipped, p.skipped.map((s) => h('li', {}, `${s.number}: ${s.reason}`)));
      if (p.done) return;
    } else line.textContent = t('error.load', { message: problemDetail(result) });
    await new Promise((resolve) => setTimeout(resolve, PROGRESS_MS));
  }
}

/** POST /observation-policies: the rules as the API names them, slots written as "08:00-10:00, 14:00-16:00". */
function newPolicyPanel(app) {
  const { t, term } = app.shell;
  const category = h('select', { name: 'category' }, CATEGORIES.map((c) => h('option', { value: c }, term('category', c))));
  const effectiveFrom = h('input', { name: 'effectiveFrom', type: 'date' });
  const periodDays = h('input', { name: 'rules.periodDays', type: 'number', value: 14, min: 1 });
  const slots = h('input', { name: 'rules.slots', value: '08:00-10:00, 14:00-16:00', placeholder: '08:00-10:00, 14:00-16:00' });
  const reminder = h('input', { name: 'rules.reminderMinutes', type: 'number', value: 30, min: 0 });
  const grace = h('input', { name: 'rules.graceMinutes', type: 'number', value: 60, min: 0 });
  const fever = h('input', { name: 'rules.feverThreshold', type: 'number', value: 37.3, step: '0.1' });
  const number = (input) => (input.value === '' ? undefined : Number(input.value));
  const submit = h('button', { type: 'submit', class: 'primary' }, t('policies.create'));
  const outcome = h('div', { class: 'span', role: 'status' });
  const form = h(
    'form',
    { class: 'form columns', 'data-testid': 'policy-form', novalidate: true },
    field(t('policies.category'), category),
    field(t('policies.effectiveFrom'), effectiveFrom),
    field(t('policies.periodDays'), periodDays),
    field(t('policies.slots'), slots),
    field(t('policies.reminderMinutes'), reminder),
    field(t('policies.graceMinutes'), grace),
    field(t('policies.feverThreshold'), fever),
    h('div', { class: 'actions span' }, submit),
    outcome,
  );
  commandForm({
    form,
    submit,
    outcome,
    t,
    url: () => '/observation-policies',
    body: () => ({
      category: category.value,
      effectiveFrom: effectiveFrom.value || undefined,
      rules: {
        periodDays: number(periodDays),
        slots: slots.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean).map((s) => { const [start, end] = s.split(/\s*[-–~]\s*/); return { start, end }; }),
        reminderMinutes: number(reminder),
        graceMinutes: number(grace),
        feverThreshold: number(fever),
        doorAllowedWindows: [],
      },
    }),
    done: (policy) => {
      setTimeout(() => app.epoch === epochAtDraw && showPolicies(app), 1500);
      return h('p', { class: 'notice-ok', 'data-testid': 'done' }, t('policies.created', { id: policy.id }));
    },
  });
  const epochAtDraw = app.epoch;
  return h('section', { class: 'panel' }, h('h2', {}, t('policies.new')), form);
}
