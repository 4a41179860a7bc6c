import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';

/**
 * CORS for the codec routes only: the Temporal Web UI (EPI_CODEC_CORS_ORIGINS) calls them from its
 * own origin with the user's session cookie, so the origin is echoed exactly, never `*`. A preflight
 * is answered here, before the guard, since browsers send it without credentials.
 */
@Injectable()
export class CodecCorsMiddleware implements NestMiddleware {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const origin = request.header('origin');
    response.vary('Origin');
    if (origin && this.config.codecCorsOrigins.includes(origin)) {
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (request.method !== 'OPTIONS') return next();
    response.setHeader('Access-Control-Allow-Methods', 'POST');
    response.setHeader('Access-Control-Allow-Headers', 'content-type, x-namespace, authorization');
    response.setHeader('Access-Control-Max-Age', '600');
    response.status(204).end();
  }
}
