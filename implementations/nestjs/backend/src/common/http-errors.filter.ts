import { ArgumentsHost, Catch, Logger, ServiceUnavailableException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { TooManyLoginAttemptsException } from '../auth/login-throttle.service';
import { DATABASE_UNAVAILABLE, isDatabaseOutage } from '../prisma/prisma-errors';

/**
 * NestJS's own error handling, plus: a database outage anywhere is a 503
 * (register maps its own errors first, src/auth/auth.service.ts), and a
 * throttled login carries Retry-After.
 */
@Catch()
export class HttpErrorsFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (isDatabaseOutage(exception)) {
      const error = exception as Error & { code?: string };
      const reason = error.message.split('\n').filter(Boolean).slice(-1)[0];
      this.logger.warn(`database unavailable (${error.constructor.name}${error.code ? ` ${error.code}` : ''}): ${reason}`);
      return super.catch(new ServiceUnavailableException(DATABASE_UNAVAILABLE), host);
    }
    if (exception instanceof TooManyLoginAttemptsException && host.getType() === 'http') {
      host.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    return super.catch(exception, host);
  }
}
