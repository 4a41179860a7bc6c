// A run's hand-over sheet (交接单, GET /transfer-runs/:id/hand-over-sheet) laid out for A4 paper:
// one row per person, from which trip and vehicle, handed over to whom and when.
import { getJson, problemDetail } from '/app/shared/api.js';
import { fill, h, table } from '/app/shared/dom.js';

export async function showSheet(app, runId) {
  const { t, term } = app.shell;
  const epoch = app.epoch;
  fill(app.view, h('p', { class: 'muted' }, t('loading')));
  const result = await getJson(`/transfer-runs/${encodeURIComponent(runId)}/hand-over-sheet`);
  if (epoch !== app.epoch) return;
  if (!result.ok) return fill(app.view, h('p', { class: 'notice-alert' }, t('error.load', { message: problemDetail(result) })));
  const rows = result.body.map((p) =>
    h(
      'tr',
      {},
      h('td', { class: 'num' }, p.row),
      h('td', {}, p.name),
      h('td', { class: 'mono' }, p.document.replace(/^[a-z_]+:/, '')),
      h('td', {}, p.mobile ?? ''),
      h('td', {}, term('disposition', p.disposition)),
      h('td', {}, p.destination),
      h('td', {}, p.tripId ?? ''),
      h('td', {}, p.plate ?? ''),
      h('td', { class: 'wrap' }, p.escorts ?? ''),
      h('td', {}, term('travellerStatus', p.status)),
      h('td', {}, p.handedOverAt ? app.time(p.handedOverAt) : ''),
      h('td', { class: 'wrap' }, p.receiver ?? ''),
      h('td', { class: 'sign' }),
    ),
  );
  fill(
    app.view,
    h('a', { class: 'back no-print', href: `#/run/${encodeURIComponent(runId)}` }, t('sheet.back')),
    h(
      'section',
      { class: 'panel hand-over-sheet', 'data-testid': 'hand-over-sheet' },
      h('div', { class: 'panel-head' }, h('h2', {}, t('sheet.title')), h('button', { type: 'button', class: 'primary no-print', onclick: () => window.print() }, t('sheet.print'))),
      h('p', { class: 'muted' }, t('sheet.run', { runId, time: app.time(new Date().toISOString()) })),
      h(
        'div',
        { class: 'table-wrap' },
        table(
          [t('sheet.row'), t('column.name'), t('column.documentNumber'), t('column.mobile'), t('column.disposition'), t('trip.destination'), t('sheet.trip'), t('sheet.plate'), t('trip.escorts'), t('person.status'), t('sheet.handedOverAt'), t('sheet.receiver'), t('sheet.signature')],
          rows,
          { class: 'grid compact sheet-table' },
        ),
      ),
    ),
  );
}
