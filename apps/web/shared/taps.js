// Field pages on a slow connection: each tap is one command under its own Idempotency-Key, sent again
// with that key while nothing is answered (api.js command()), so it is recorded once however often it
// goes out. What is still sending and what failed are kept by the tap's name, for the page to show
// beside the button; trying a failed tap again reuses its key.
import { command, newRequestKey } from './api.js';

export function taps(onChange) {
  /** name → { key, state: 'sending' | 'failed', result } */
  const open = new Map();
  return {
    /** 'sending', 'failed' or undefined (nothing open under this name). */
    state: (name) => open.get(name)?.state,
    /** The failed answer of a tap, to say why. */
    failure: (name) => open.get(name)?.result,
    sending: () => [...open.values()].filter((tap) => tap.state === 'sending').length,
    /** Sends the tap (a second tap while it is sending does nothing); the answer, once. */
    async send(name, url, body) {
      const tap = open.get(name) ?? { key: newRequestKey() };
      if (tap.state === 'sending') return undefined;
      open.set(name, { ...tap, state: 'sending' });
      onChange();
      const result = await command(url, body, tap.key);
      // A refusal is an answer (the same key would be refused again): only a lost request keeps its key.
      if (result.ok || result.status !== 0) open.delete(name);
      else open.set(name, { ...tap, state: 'failed', result });
      onChange();
      return result;
    },
  };
}
