import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** What the JWT strategy puts on `req.user`. */
export interface AuthUser {
  id: string;
}

/** The authenticated caller (routes behind JwtAuthGuard). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const request = ctx.switchToHttp().getRequest<Request>();
  return request.user as AuthUser;
});

/** The user as every response shows it: never a password or a hash. */
export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
}

export function publicUser(user: { id: string; email: string; name: string | null }): PublicUser {
  return { id: user.id, email: user.email, name: user.name };
}
