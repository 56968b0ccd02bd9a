import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, JwtFromRequestFunction, Strategy } from 'passport-jwt';
import { preFix } from '../prefix';
import type { AuthUser } from './auth-user';

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
  constructor(config: ConfigService) {
    super({
      jwtFromRequest: preFix('no-query-token')
        ? ExtractJwt.fromAuthHeaderAsBearerToken()
        : ExtractJwt.fromExtractors([ExtractJwt.fromAuthHeaderAsBearerToken(), fromQueryWhenNoAuthorizationHeader]),
      ignoreExpiration: false,
      secretOrKey: config.getOrThrow<string>('JWT_SECRET'),
      algorithms: ['HS256'],
    });
  }

  /** The token was verified once, here, when the request came in. */
  validate(payload: JwtPayload): AuthUser | false {
    return typeof payload.sub === 'string' && payload.sub.length > 0 ? { id: payload.sub } : false;
  }
}
