import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, JwtFromRequestFunction, Strategy } from 'passport-jwt';
import { isUuid } from '../common/uuid';
import { preFix } from '../prefix';
import { PrismaService } from '../prisma/prisma.service';
import { type AuthUser, USER_FIELDS } from './auth-user';

interface JwtPayload {
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

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    config: ConfigService,
    private readonly prisma: PrismaService,
  ) {
    super({
      jwtFromRequest: preFix('no-query-token')
        ? ExtractJwt.fromAuthHeaderAsBearerToken()
        : ExtractJwt.fromExtractors([ExtractJwt.fromAuthHeaderAsBearerToken(), fromQueryWhenNoAuthorizationHeader]),
      ignoreExpiration: false,
      secretOrKey: config.getOrThrow<string>('JWT_SECRET'),
      algorithms: ['HS256'],
    });
  }

  /**
   * The token was verified once, here, when the request came in. A valid
   * signature proves who issued the token, not that its account still
   * exists (a database reset, an id never registered): the account is
   * loaded, and a missing one, or a `sub` that is not an account id at all,
   * is a 401 on every route (TOK-3). The `sub` is checked to be a UUID
   * first, so that it never reaches Prisma as an error (P2023, a 500).
   */
  async validate(payload: JwtPayload): Promise<AuthUser | false> {
    const sub = payload.sub;
    if (!isUuid(sub)) return false;
    const account = await this.prisma.user.findUnique({ where: { id: sub }, select: USER_FIELDS });
    return account ? { id: account.id, account } : false;
  }
}
