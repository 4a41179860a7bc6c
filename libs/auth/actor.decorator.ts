import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Principal } from './roles';

/** The logged-in person the guard put on the request. */
export const Actor = createParamDecorator((_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal);
