// Import a ledger (POST /persons/import, then GET /imports/:id until it is done): the progress as
// rows are enrolled, and each refused row with its field and reason.
import { getJson, problemDetail, upload } from '/app/shared/api.js';
import { fill, h, table } from '/app/shared/dom.js';

const POLL_MS = 1000;

export function showImport(app) {
  const { t } = app.shell;
  const file = h('input', { type: 'file', name: 'file', accept: '.xlsx,.csv', 'data-testid': 'import-file' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('import.submit'));
  const progress = h('div', { 'data-testid': 'import-progress', role: 'status' });
  const form = h('form', { class: 'form' }, h('p', { class: 'muted' }, t('import.hint')), h('label', { class: 'field' }, h('span', {}, t('import.file')), file), h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!file.files.length) return fill(progress, h('p', { class: 'notice-alert' }, t('import.noFile')));
    submit.disabled = true;
    submit.textContent = t('import.sending');
    const epoch = app.epoch;
    const started = await upload('/persons/import', file.files[0]);
    submit.disabled = false;
    submit.textContent = t('import.submit');
    if (!started.ok) return fill(progress, h('p', { class: 'notice-alert', 'data-testid': 'import-error' }, t('import.failed', { message: problemDetail(started) })));
    form.reset();
    await follow(app, progress, started.body, epoch);
  });
  fill(app.view, h('section', { class: 'panel' }, h('h2', {}, t('import.title')), form, progress));
}

/** Draws the job and asks again each second until it is done or failed (or the view was left). */
async function follow(app, element, job, epoch) {
  for (;;) {
    drawJob(app, element, job);
    if (job.state !== 'running') return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (epoch !== app.epoch) return;
    const result = await getJson(`/imports/${encodeURIComponent(job.id)}?results=rejected`);
    if (epoch !== app.epoch) return;
    // A read that failed is asked again on the next turn; the job goes on at the API either way.
    if (result.ok) job = result.body;
  }
}

function drawJob(app, element, job) {
  const { t } = app.shell;
  const rejected = (job.results ?? []).filter((r) => r.status === 'rejected');
  fill(
    element,
    h(
      'div',
      { class: 'import-job', 'data-state': job.state },
      h('p', {}, h('strong', {}, job.fileName), ' ', h('span', { class: `badge ${job.state === 'done' ? 'ok' : job.state === 'failed' ? 'alert' : 'warn'}`, 'data-testid': 'import-state' }, t(`import.state.${job.state}`))),
      h('progress', { max: Math.max(job.totalRows, 1), value: job.processedRows }),
      h('p', {}, t('import.progress', { processed: job.processedRows, total: job.totalRows }), ' · ', h('span', { 'data-testid': 'import-counts' }, t('import.counts', { accepted: job.accepted, rejected: job.rejected }))),
      job.error ? h('p', { class: 'notice-alert' }, t('import.failed', { message: job.error })) : null,
      rejected.length
        ? [
            h('h3', {}, t('import.rejected')),
            h('div', { class: 'table-wrap' }, table([t('import.row'), t('import.field'), t('import.reason')], rejected.map((r) => h('tr', {}, h('td', { class: 'num' }, r.row), h('td', { class: 'mono' }, r.field ?? ''), h('td', { class: 'wrap' }, r.reason ?? ''))), { 'data-testid': 'import-rejected' })),
          ]
        : null,
    ),
  );
}
