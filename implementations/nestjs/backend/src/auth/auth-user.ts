import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * What the JWT strategy puts on `req.user`: the token's subject and its
 * account as stored, which the strategy loaded (a token whose account does
 * not exist never gets this far).
 */
export interface AuthUser {
  id: string;
  account: PublicUser;
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

/** The columns of a user that responses show (a Prisma `select`). */
export const USER_FIELDS = { id: true, email: true, name: true } as const;

export function publicUser(user: { id: string; email: string; name: string | null }): PublicUser {
  return { id: user.id, email: user.email, name: user.name };
}
