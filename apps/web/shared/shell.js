// What every page of the front end has around its own content: the top bar (title, who is logged
// in, log out, the language switch) and the login form. A page calls startShell() with its words and
// gets the language, its translator and the logged-in person; its <main> shows only after a login.
import { getJson, keepSessionToken, postJson, problemDetail, sessionToken, whenUnauthenticated } from './api.js';
import { h } from './dom.js';
import { chosenLanguage, LANGUAGES, translator } from './i18n.js';
import { watchUnread } from './inbox-count.js';

const LANGUAGE_KEY = 'epi-app-lang';
const LANGUAGE_NAMES = { 'zh-CN': '中文', en: 'English' };

/** Where each role does its daily work; a role without a page here lands on /app/ with links. */
export const ROLE_PAGES = { community_worker: '/app/worker/', duty_staff: '/app/duty/', receiver: '/app/receiver/', dispatcher: '/app/dispatcher/', supervisor: '/app/supervisor/' };

/**
 * `messages`: the page's words by language (`title` is the top bar's); `onUser(user)`: called after a
 * login (or on load with a login still valid), `onLanguage()`: after the language changed.
 */
export function startShell({ messages, onUser, onLanguage = () => {} }) {
  const { translate, term } = translator(messages);
  const shell = {
    lang: chosenLanguage(LANGUAGE_KEY),
    user: undefined,
    /** The jurisdiction's time zone, as the login answers it: every time on the page is shown in it. */
    timeZone: 'Asia/Shanghai',
    t: (key, params) => translate(shell.lang, key, params),
    term: (group, value) => term(shell.lang, group, value),
    /** Told each new unread count of my inbox (the inbox page reloads its list). */
    onUnread: () => {},
    /** The person's jurisdiction in words. */
    scope: (user) => (user.community ? `${user.subdistrict} · ${user.community}` : user.subdistrict ? shell.t('jurisdiction.subdistrict', { subdistrict: user.subdistrict }) : shell.t('jurisdiction.district')),
  };
  const main = document.querySelector('main');
  const parts = buildChrome();
  let note;
  let error;
  let busy = false;
  let unread;
  let stopUnread = () => {};

  function draw() {
    document.documentElement.lang = shell.lang;
    document.title = shell.t('title');
    for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = shell.t(element.dataset.i18n);
    for (const button of parts.languages) button.setAttribute('aria-pressed', String(button.dataset.lang === shell.lang));
    const user = shell.user;
    parts.user.hidden = !user;
    main.hidden = !user;
    parts.login.hidden = Boolean(user);
    parts.inbox.hidden = !user;
    parts.unread.hidden = !unread;
    parts.unread.textContent = unread ? String(unread) : '';
    parts.inbox.setAttribute('aria-label', shell.t('inbox.unread', { count: unread ?? 0 }));
    if (user) {
      parts.name.textContent = user.displayName;
      parts.scopeLine.textContent = `${shell.t(`role.${user.role}`)} · ${shell.scope(user)}`;
    }
    parts.note.hidden = !note;
    parts.note.textContent = note ? shell.t(note.key, note.params) : '';
    parts.error.hidden = !error;
    parts.error.textContent = error ? shell.t(error.key, error.params) : '';
    parts.submit.disabled = busy;
    parts.submit.textContent = shell.t(busy ? 'login.busy' : 'login.submit');
    parts.logout.disabled = busy;
  }

  function loggedIn(user) {
    shell.user = user;
    shell.timeZone = user.timeZone ?? shell.timeZone;
    note = undefined;
    error = undefined;
    stopUnread();
    stopUnread = watchUnread((count) => {
      unread = count;
      draw();
      shell.onUnread(count);
    });
    draw();
    onUser(user);
  }

  function showLogin(why) {
    keepSessionToken(undefined);
    stopUnread();
    unread = undefined;
    shell.user = undefined;
    note = why;
    draw();
  }

  parts.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    busy = true;
    error = undefined;
    draw();
    const result = await postJson('/auth/login', { username: parts.form.username.value.trim(), password: parts.form.password.value });
    busy = false;
    parts.form.password.value = '';
    if (result.ok) {
      keepSessionToken(result.body.accessToken);
      return loggedIn(result.body.user);
    }
    error = loginProblem(result, shell.lang);
    draw();
  });

  parts.logout.addEventListener('click', async () => {
    busy = true;
    draw();
    const result = await postJson('/auth/logout');
    busy = false;
    // 401: the login had already ended; either way nobody is logged in here any more.
    if (result.ok || result.status === 401) return showLogin({ key: 'login.loggedOut' });
    error = { key: 'auth.logoutFailed', params: { message: problemDetail(result) } };
    draw();
  });

  for (const button of parts.languages) {
    button.addEventListener('click', () => {
      shell.lang = button.dataset.lang;
      localStorage.setItem(LANGUAGE_KEY, shell.lang);
      const url = new URL(location.href);
      url.searchParams.delete('lang');
      history.replaceState(null, '', url);
      draw();
      onLanguage();
    });
  }

  // A later 401 (the login expired, or was ended by a logout elsewhere): back to the form, saying why.
  whenUnauthenticated(() => shell.user && showLogin({ key: 'login.ended' }));

  draw();
  parts.login.hidden = true;
  // Commands need this tab's bearer token: without one, log in again even if a cookie would still read.
  if (sessionToken()) {
    getJson('/auth/me').then((result) => (result.ok ? loggedIn(result.body) : showLogin(result.status === 401 ? undefined : { key: 'login.unreachable', params: { message: problemDetail(result) } })));
  } else showLogin(undefined);
  return shell;
}

function loginProblem(result, lang) {
  const message = problemDetail(result);
  if (result.status === 401) return { key: 'login.wrong' };
  if (result.status === 423) return result.body?.lockedUntil ? { key: 'login.locked', params: { until: new Date(result.body.lockedUntil).toLocaleString(lang) } } : { key: 'login.failed', params: { message } };
  if (result.status === 403) return { key: 'login.disabled' };
  if (result.status === 0) return { key: 'login.unreachable', params: { message } };
  return { key: 'login.failed', params: { message } };
}

/** The top bar before <main> and the login section after it, built once; texts are drawn by draw(). */
function buildChrome() {
  const parts = {};
  parts.name = h('strong', { 'data-testid': 'user-name' });
  parts.scopeLine = h('span', { 'data-testid': 'user-scope' });
  parts.logout = h('button', { type: 'button', 'data-testid': 'logout', 'data-i18n': 'auth.logout' });
  parts.user = h('div', { class: 'user', 'data-testid': 'user', hidden: true }, h('div', { class: 'who' }, parts.name, parts.scopeLine), parts.logout);
  parts.unread = h('span', { class: 'unread', 'data-testid': 'unread-count', hidden: true });
  parts.inbox = h('a', { class: 'inbox-link', href: '/app/inbox/', 'data-testid': 'inbox-link', hidden: true }, h('span', { class: 'inbox-icon', 'aria-hidden': 'true' }, '✉'), h('span', { class: 'inbox-label', 'data-i18n': 'inbox.title' }), parts.unread);
  parts.languages = LANGUAGES.map((lang) => h('button', { type: 'button', 'data-lang': lang }, LANGUAGE_NAMES[lang]));
  const topbar = h(
    'header',
    { class: 'topbar' },
    h('div', { class: 'brand' }, h('h1', { 'data-i18n': 'title' }), h('p', { class: 'subtitle', 'data-i18n': 'subtitle' })),
    parts.inbox,
    parts.user,
    h('div', { class: 'lang', role: 'group', 'aria-label': 'Language' }, parts.languages),
  );
  parts.note = h('p', { class: 'login-note', 'data-testid': 'login-note', role: 'status', hidden: true });
  parts.error = h('p', { class: 'login-error', 'data-testid': 'login-error', role: 'alert', hidden: true });
  parts.submit = h('button', { type: 'submit', class: 'primary', id: 'login-submit' });
  parts.form = h(
    'form',
    { class: 'login-card', 'data-testid': 'login-form' },
    h('h2', { 'data-i18n': 'login.title' }),
    h('p', { class: 'muted', 'data-i18n': 'login.hint' }),
    parts.note,
    h('label', {}, h('span', { 'data-i18n': 'login.username' }), h('input', { name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', maxlength: 60, required: true })),
    h('label', {}, h('span', { 'data-i18n': 'login.password' }), h('input', { type: 'password', name: 'password', autocomplete: 'current-password', maxlength: 200, required: true })),
    parts.error,
    parts.submit,
  );
  parts.login = h('section', { class: 'login', hidden: true }, parts.form);
  const main = document.querySelector('main');
  document.body.insertBefore(topbar, main);
  main.after(parts.login);
  return parts;
}
