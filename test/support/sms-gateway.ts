import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A real HTTP endpoint standing in for the SMS gateway. `replies` queues non-200 answers for any
 * message, `repliesFor` for the message with that Idempotency-Key; `hold` keeps answers back until it
 * resolves, `holdFor` the answer to the message with that Idempotency-Key.
 */
export async function startGateway() {
  const received: Array<{ authorization?: string; idempotencyKey?: string; at: number; body: { to: string; text: string } }> = [];
  const replies: Array<[number, string]> = [];
  const repliesFor = new Map<string, Array<[number, string]>>();
  const holdFor = new Map<string, Promise<unknown>>();
  const gateway = { received, replies, repliesFor, holdFor, hold: Promise.resolve(), url: '', stop: () => Promise.resolve() };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
      received.push({ authorization: req.headers.authorization, idempotencyKey, at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      await gateway.hold;
      await holdFor.get(idempotencyKey ?? '');
      const [status, text] = repliesFor.get(idempotencyKey ?? '')?.shift() ?? replies.shift() ?? [200, '{"accepted":true}'];
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  gateway.stop = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return gateway;
}

/**
 * A gateway that workers and APIs started afterwards take from the environment (SMS_GATEWAY_URL,
 * SMS_GATEWAY_TOKEN = 'gateway-token'); `stop` stops it and puts the environment back.
 */
export async function gatewayInEnvironment() {
  const gateway = await startGateway();
  const saved = { SMS_GATEWAY_URL: process.env.SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN: process.env.SMS_GATEWAY_TOKEN };
  process.env.SMS_GATEWAY_URL = gateway.url;
  process.env.SMS_GATEWAY_TOKEN = 'gateway-token';
  const stopGateway = gateway.stop;
  gateway.stop = async () => {
    await stopGateway();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  return gateway;
}
