import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, JwtFromRequestFunction, Strategy, StrategyOptionsWithoutRequest } from 'passport-jwt';
import { isUuid } from '../common/uuid';
import { preFix } from '../prefix';
import { PrismaService } from '../prisma/prisma.service';
import { type AuthUser, USER_FIELDS } from './auth-user';

export interface JwtPayload {
  sub?: unknown;
  email?: unknown;
}

/**
 * `?token=` for clients that cannot send headers (a proxy stripping them,
 * an EventSource), taken only when the request has no Authorization header
 * at all: a bad header is never rescued by a good query token (TOK-5).
 */
export const fromQueryWhenNoAuthorizationHeader: JwtFromRequestFunction = (req: Request) => {
  if (req.headers.authorization !== undefined) return null;
  const token = req.query?.token;
  return typeof token === 'string' && token.length > 0 ? token : null;
};

/**
 * How tokens are found and verified: HS256 with JWT_SECRET, the header
 * first, and the expiry checked unless `ignoreExpiration` (only the
 * `stream-ignores-expiry` switch's strategy asks for that).
 */
export function jwtOptions(config: ConfigService, ignoreExpiration: boolean): StrategyOptionsWithoutRequest {
  return {
    jwtFromRequest: preFix('no-query-token')
      ? ExtractJwt.fromAuthHeaderAsBearerToken()
      : ExtractJwt.fromExtractors([ExtractJwt.fromAuthHeaderAsBearerToken(), fromQueryWhenNoAuthorizationHeader]),
    ignoreExpiration,
    secretOrKey: config.getOrThrow<string>('JWT_SECRET'),
    algorithms: ['HS256'],
  };
}

/**
 * The caller of a verified token. A valid signature proves who issued the
 * token, not that its account still exists (a database reset, an id never
 * registered): the account is loaded, and a missing one, or a `sub` that is
 * not an account id at all, is a 401 on every route (TOK-3). The `sub` is
 * checked to be a UUID first, so that it never reaches Prisma as an error
 * (P2023, a 500).
 */
export async function callerOf(prisma: PrismaService, payload: JwtPayload): Promise<AuthUser | false> {
  const sub = payload.sub;
  // Before the fix the sub went to Prisma as it came: P2023 for a string
  // that is not a UUID, a validation error for a number, both a 500.
  if (!isUuid(sub) && !preFix('non-id-sub-500')) return false;
  const account = await prisma.user.findUnique({ where: { id: sub as string }, select: USER_FIELDS });
  if (account) return { id: account.id, account };
  // Before the fix a missing account was not refused (the token alone
  // counted): GET /auth/me then dereferences the account that is not there.
  return preFix('deleted-account-500') ? ({ id: sub } as AuthUser) : false;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    config: ConfigService,
    private readonly prisma: PrismaService,
  ) {
    super(jwtOptions(config, false));
  }

  /** The token was verified once, here, when the request came in. */
  validate(payload: JwtPayload): Promise<AuthUser | false> {
    return callerOf(this.prisma, payload);
  }
}

/**
 * The code before the fix, for the `stream-ignores-expiry` switch: a second
 * strategy, meant for the chat stream "so that a long answer is not cut",
 * that verifies the signature and loads the account but ignores `exp`, so
 * an expired token opens a stream. It is registered in every build; only
 * the chat controller under that switch uses it (JwtIgnoringExpiryGuard).
 */
@Injectable()
export class JwtIgnoringExpiryStrategy extends PassportStrategy(Strategy, 'jwt-ignoring-expiry') {
  constructor(
    config: ConfigService,
    private readonly prisma: PrismaService,
  ) {
    super(jwtOptions(config, true));
  }

  validate(payload: JwtPayload): Promise<AuthUser | false> {
    return callerOf(this.prisma, payload);
  }
}
