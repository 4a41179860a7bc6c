import { json, type RequestHandler } from 'express';
import { HttpProblem } from './http-errors.filter';

/** Every JSON body is capped here unless its route is listed in BODY_LIMITS. */
export const DEFAULT_BODY_LIMIT = 100 * 1024;

/** Routes whose JSON bodies may be larger than the default, and why. */
export const BODY_LIMITS: Record<string, { limit: number; why: string }> = {
  // A 5,000-traveller manifest with full addresses measures about 2 MB.
  'POST /transfer-runs': { limit: 5 * 1024 * 1024, why: 'a manifest of up to 5,000 travellers' },
  // The Temporal UI sends a history's payloads, and a run's input holds its whole manifest.
  'POST /codec/decode': { limit: 8 * 1024 * 1024, why: 'the payloads of a workflow history page' },
  'POST /codec/encode': { limit: 8 * 1024 * 1024, why: 'the payloads of a workflow history page' },
};

/**
 * Routes that take a multipart upload instead of JSON. Their own interceptor reads the upload after
 * the login check; any other body is left unread, and the handler finds no file (422).
 */
const MULTIPART_ROUTES = new Set(['POST /persons/import', 'POST /transfer-runs/manifest']);

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The media type of a Content-Type header, without parameters, in lower case. */
const mediaType = (header: string | undefined) => (header ?? '').split(';')[0].trim().toLowerCase();

/** A body is sent when it has a length above zero or comes in chunks. */
function sendsBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/**
 * Request bodies at the edge, before any handler: a command's body must be JSON (415 naming the
 * content type otherwise), within its route's limit
 * (413 naming the limit), and well-formed (400). Replaces Nest's body parsers, which took any
 * urlencoded body and capped every route at 100 kB.
 */
export function requestBodies(): RequestHandler {
  const parsers = new Map<number, RequestHandler>();
  const parserFor = (limit: number) => {
    // The bytes as sent stay on the request: signed webhooks are checked over them (dispatch events).
    if (!parsers.has(limit)) parsers.set(limit, json({ limit, type: () => true, verify: (request, _response, raw) => ((request as { rawBody?: Buffer }).rawBody = raw) }));
    return parsers.get(limit)!;
  };
  return (request, response, next) => {
    if (!BODY_METHODS.has(request.method) || !sendsBody(request.headers)) return next();
    const route = `${request.method} ${request.path.replace(/(.)\/+$/, '$1')}`;
    const type = mediaType(request.headers['content-type']);
    if (MULTIPART_ROUTES.has(route)) return next();
    if (type !== 'application/json' && !type.endsWith('+json')) {
      return next(new HttpProblem('unsupported_media_type', `Content-Type ${type || '(none)'} is not accepted; send a JSON body as application/json`));
    }
    const { limit } = BODY_LIMITS[route] ?? { limit: DEFAULT_BODY_LIMIT };
    parserFor(limit)(request, response, next);
  };
}
