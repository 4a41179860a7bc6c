// The unread count of my inbox, live: read once at once (bearer token), then kept by the Server-Sent
// Events of GET /inbox/stream (EventSource sends the session cookie, which the API accepts for reads;
// it reconnects by itself after a dropped connection).
import { getJson } from './api.js';

/** Calls `onCount(n)` now and on every change until the returned stop() is called. */
export function watchUnread(onCount) {
  let stopped = false;
  getJson('/inbox/count').then((result) => !stopped && result.ok && onCount(result.body.unread));
  const stream = new EventSource('/inbox/stream');
  stream.addEventListener('message', (event) => {
    const { unread } = JSON.parse(event.data);
    if (!stopped && Number.isInteger(unread)) onCount(unread);
  });
  return () => {
    stopped = true;
    stream.close();
  };
}
