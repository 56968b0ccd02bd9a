import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

/** 401 `{"message": "Unauthorized", "statusCode": 401}` without a valid token. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {}

/** The `stream-ignores-expiry` switch's guard: JwtIgnoringExpiryStrategy. */
@Injectable()
export class JwtIgnoringExpiryGuard extends AuthGuard('jwt-ignoring-expiry') {}
