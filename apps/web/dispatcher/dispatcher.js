// The dispatcher's page: the runs, a new run from a manifest, one run (its plan as trips, then live),
// and a run's hand-over sheet to print. One view at a time (#/run/<id>, #/sheet/<id>).
import { getJson, problemDetail } from '/app/shared/api.js';
import { fill, h } from '/app/shared/dom.js';
import { startViews } from '/app/shared/views.js';
import { MESSAGES } from './messages.js';
import { showRun } from './run.js';
import { showRuns } from './runs.js';
import { showSheet } from './sheet.js';
import { showStart } from './start.js';

let resources;
const app = startViews({
  messages: MESSAGES,
  views: { '': showRuns, new: showStart, run: showRun, sheet: showSheet },
  onUser: () => (resources = undefined),
});

/**
 * The district's sorting points, vehicles, escorts and destinations (by id), read once a login. The
 * view says it is loading; if they cannot be read it says why and this answers undefined (as it does
 * when the view was left meanwhile).
 */
app.resources = async () => {
  const epoch = app.epoch;
  fill(app.view, h('p', { class: 'muted' }, app.shell.t('loading')));
  if (!resources) {
    const kinds = ['sorting-points', 'vehicles', 'escorts', 'destinations'];
    const answers = await Promise.all(kinds.map((kind) => getJson(`/transfer/${kind}?pageSize=500`)));
    if (epoch !== app.epoch) return undefined;
    const failed = answers.find((a) => !a.ok);
    if (failed) return void fill(app.view, h('p', { class: 'notice-alert' }, app.shell.t('error.load', { message: problemDetail(failed) })));
    const [sortingPoints, ...byId] = answers.map((a) => a.body.items);
    const [vehicles, escorts, destinations] = byId.map((items) => new Map(items.map((item) => [item.id, item])));
    resources = { sortingPoints, vehicles, escorts, destinations };
  }
  return resources;
};
