import { CanActivate, ExecutionContext, Inject, Injectable, RawBodyRequest, UnauthorizedException } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { DomainError } from '../../../libs/domain/errors';
import { errorResponse } from '../../../libs/nest/http-errors.filter';
import { AuditedRequest, AuditService } from '../../../libs/audit/audit.service';

/** Who the audit log and the trip's commands name for what the dispatch system posts. */
export const DISPATCH_SYSTEM_ACTOR = 'dispatch-system';

export const TIMESTAMP_HEADER = 'X-Dispatch-Timestamp';
export const SIGNATURE_HEADER = 'X-Dispatch-Signature';
/** How far a signed request's timestamp may be from now: an older request is a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Why a request is not signed by the holder of `secret`, or undefined when it is. The signature is
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`: the timestamp is signed with the body, so
 * an old request cannot be sent again under a new time.
 */
export function signatureProblem(rawBody: Buffer, timestamp: string | undefined, signature: string | undefined, secret: string, now = Date.now()): string | undefined {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return `${TIMESTAMP_HEADER} must be the time of sending in Unix seconds`;
  if (Math.abs(now / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    return `${TIMESTAMP_HEADER} is more than ${SIGNATURE_TOLERANCE_SECONDS} s from now (a replayed request, or a clock to set)`;
  }
  const hex = /^sha256=([0-9a-fA-F]{64})$/.exec(signature ?? '')?.[1];
  if (!hex) return `${SIGNATURE_HEADER} must be sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex')) ? undefined : `${SIGNATURE_HEADER} does not match the body`;
}

/**
 * The dispatch system's signature is its login on the webhook: checked on the raw body before the
 * body is validated, refused with 401 (503 while DISPATCH_WEBHOOK_SECRET is unset) and audited
 * either way, as the login guard audits the commands it refuses.
 */
@Injectable()
export class DispatchSignatureGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RawBodyRequest<AuditedRequest>>();
    request.claimedUser = DISPATCH_SYSTEM_ACTOR;
    // Audited under the event it names, signed or not; the handler adds the trip's place once it is found.
    request.auditRecord = { type: 'dispatch-event', id: String(request.body?.eventId ?? '').slice(0, 200), places: [] };
    const secret = this.config.dispatch.webhookSecret;
    const problem = secret && signatureProblem(request.rawBody ?? Buffer.alloc(0), request.header(TIMESTAMP_HEADER), request.header(SIGNATURE_HEADER), secret);
    if (secret && !problem) return true;
    const error = secret
      ? new UnauthorizedException({ error: 'unauthenticated', message: `not signed by the dispatch system: ${problem}` })
      : new DomainError('unavailable', 'the dispatch webhook takes no events: DISPATCH_WEBHOOK_SECRET is not set');
    await this.audit.record(request, errorResponse(error).status, error);
    throw error;
  }
}
