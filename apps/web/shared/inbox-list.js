// My inbox as a list (GET /inbox): unread first, each message with a link to the page of the record it
// concerns, mark read, and acknowledge or take where the API offers it. The inbox page shows it
// whole; a role's page shows its first few.
import { command, getJson, postJson, problemDetail } from './api.js';
import { fill, formatTime, h } from './dom.js';

export const INBOX_WORDS = {
  'zh-CN': {
    'inbox.none': '没有消息。',
    'inbox.more': '全部消息 →',
    'inbox.open': '查看',
    'inbox.action.read': '标为已读',
    'inbox.action.acknowledge': '受理',
    'inbox.action.take': '由我负责',
    'inbox.readAll': '全部标为已读',
    'inbox.unreadBadge': '未读',
    'inbox.failed': '没有完成：{message}',
    'inbox.loadFailed': '读取消息失败：{message}',
  },
  en: {
    'inbox.none': 'No messages.',
    'inbox.more': 'All messages →',
    'inbox.open': 'Open',
    'inbox.action.read': 'Mark read',
    'inbox.action.acknowledge': 'Acknowledge',
    'inbox.action.take': 'Take it',
    'inbox.readAll': 'Mark all read',
    'inbox.unreadBadge': 'unread',
    'inbox.failed': 'Not done: {message}',
    'inbox.loadFailed': 'Could not read the messages: {message}',
  },
};

/**
 * Fills `element` with my messages (`limit`: the first few, with a link to the inbox page) and keeps
 * it fresh: call the returned reload() when the unread count changes.
 */
export function inboxList(shell, element, { limit } = {}) {
  let problem;
  async function reload() {
    const result = await getJson(`/inbox?pageSize=${limit ?? 100}`);
    if (!result.ok) return fill(element, h('p', { class: 'notice-alert' }, shell.t('inbox.loadFailed', { message: problemDetail(result) })));
    draw(result.body.items, result.body.total);
  }
  async function act(message, action) {
    const url = `/inbox/${encodeURIComponent(message.id)}/${action}`;
    const result = action === 'read' ? await postJson(url) : await command(url);
    problem = result.ok ? undefined : shell.t('inbox.failed', { message: problemDetail(result) });
    await reload();
  }
  function draw(items, total) {
    const { t } = shell;
    const time = (iso) => formatTime(iso, shell.lang, shell.timeZone);
    const unread = items.filter((message) => !message.readAt).length;
    fill(
      element,
      problem ? h('p', { class: 'notice-alert', role: 'alert' }, problem) : null,
      !limit && unread ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', 'data-action': 'read-all', onclick: () => postJson('/inbox/read', { all: true }).then(reload) }, t('inbox.readAll'))) : null,
      items.length
        ? h(
            'ul',
            { class: 'messages', 'data-testid': 'inbox-items' },
            items.map((message) =>
              h(
                'li',
                { class: message.readAt ? 'read' : 'unread', 'data-message': message.id },
                h('div', { class: 'message-head' }, message.readAt ? null : h('span', { class: 'badge alert' }, t('inbox.unreadBadge')), h('strong', {}, message.subject), h('span', { class: 'muted when' }, time(message.createdAt))),
                h('p', { class: 'message-body' }, message.body),
                h(
                  'div',
                  { class: 'actions' },
                  message.link ? h('a', { href: message.link, class: 'open' }, t('inbox.open')) : null,
                  message.actions.map((action) =>
                    h('button', { type: 'button', class: action === 'read' ? 'secondary' : 'primary', 'data-action': action, onclick: () => act(message, action) }, t(`inbox.action.${action}`)),
                  ),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('inbox.none')),
      limit && total > items.length ? h('a', { href: '/app/inbox/' }, t('inbox.more')) : null,
    );
  }
  return reload;
}
