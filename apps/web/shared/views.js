// A role's page as views, one at a time, named in the URL's hash (#/<view>/<argument>…): a link is
// one tap to a view, and the back button comes back. The page's <main> holds `nav.views` links
// (`data-view`) and a `#view` element the views fill.
import { formatTime } from './dom.js';
import { startShell } from './shell.js';

/**
 * Starts the shell and shows `views[name](app, …arguments)` for the hash, after a login and again on
 * each change of the hash or the language; `views['']` is the page's home and stands for any unknown
 * name. `onUser(user)` runs first after each login. Answers the page's `app`: its shell, its #view
 * element, times in its jurisdiction's zone (the login's), and the epoch each change of view bumps (an
 * answer for a view left meanwhile is dropped by comparing it).
 */
export function startViews({ messages, views, onUser = () => {} }) {
  const app = {
    shell: undefined,
    get timeZone() {
      return app.shell.timeZone;
    },
    view: document.getElementById('view'),
    time: (iso, style) => formatTime(iso, app.shell.lang, app.timeZone, style),
    epoch: 0,
  };

  function route() {
    const [name = '', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
    const known = Object.hasOwn(views, name) ? name : '';
    for (const link of document.querySelectorAll('nav.views a')) link.setAttribute('aria-current', String(link.dataset.view === known));
    ++app.epoch;
    views[known](app, ...rest.map(decodeURIComponent));
  }

  app.shell = startShell({
    messages,
    onUser: (user) => {
      onUser(user);
      route();
    },
    onLanguage: () => app.shell.user && route(),
  });
  window.addEventListener('hashchange', () => app.shell.user && route());
  return app;
}
