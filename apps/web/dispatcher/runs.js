// The runs, newest first (GET /transfer-runs): each one tap to its plan or live view.
import { getJson, problemDetail } from '/app/shared/api.js';
import { fill, h, table } from '/app/shared/dom.js';

export async function showRuns(app) {
  const { t, term } = app.shell;
  const epoch = app.epoch;
  fill(app.view, h('p', { class: 'muted' }, t('loading')));
  const result = await getJson('/transfer-runs?pageSize=50');
  if (epoch !== app.epoch) return;
  if (!result.ok) return fill(app.view, h('p', { class: 'notice-alert' }, t('error.load', { message: problemDetail(result) })));
  const runs = result.body.items;
  const rows = runs.map((run) =>
    h(
      'tr',
      {},
      h('td', {}, h('a', { href: `#/run/${encodeURIComponent(run.runId)}`, 'data-run': run.runId }, app.time(run.createdAt))),
      h('td', {}, h('span', { class: `badge ${statusTone(run.status)}` }, term('runStatus', run.status))),
      h('td', {}, run.dispatcher),
      h('td', {}, run.counts.travellers ?? '—'),
      h('td', {}, run.counts.handedOver ?? '—'),
      h('td', {}, run.counts.openExceptions ? h('span', { class: 'badge alert' }, run.counts.openExceptions) : run.counts.openExceptions ?? '—'),
    ),
  );
  fill(
    app.view,
    h(
      'section',
      { class: 'panel', 'data-testid': 'runs' },
      h('div', { class: 'panel-head' }, h('h2', {}, t('runs.title')), h('a', { class: 'button primary', href: '#/new' }, t('nav.new'))),
      runs.length
        ? h('div', { class: 'table-wrap' }, table([t('runs.created'), t('runs.status'), t('runs.dispatcher'), t('runs.travellers'), t('runs.handedOver'), t('runs.openExceptions')], rows))
        : h('p', { class: 'muted' }, t('runs.none')),
    ),
  );
}

export const statusTone = (status) => (status === 'completed' ? 'ok' : status === 'running' ? 'warn' : '');
