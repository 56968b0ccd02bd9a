import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { RedisService, withTimeout } from '../redis/redis.service';

export const MAX_FAILED_LOGINS = 5;
export const FAILED_LOGIN_WINDOW_SECONDS = 15 * 60;
/** How long a counter read or write may take before logins go on without it. */
const REDIS_TIMEOUT_MS = 2_000;

/** 429 with the seconds to wait; the error filter turns it into Retry-After. */
export class TooManyLoginAttemptsException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed login attempts, please try again later', HttpStatus.TOO_MANY_REQUESTS);
  }
}

/**
 * Failed logins per email, counted in Redis for 15 minutes from the first
 * one (LOG-5). Without Redis, logins go on unthrottled (with a warning):
 * an outage of the counter store must not lock everybody out.
 */
@Injectable()
export class LoginThrottleService {
  private readonly logger = new Logger(LoginThrottleService.name);

  constructor(private readonly redis: RedisService) {}

  private key(email: string): string {
    return `login-failures:${email}`;
  }

  /** Throws 429 when this email has used up its failed attempts. */
  async assertAllowed(email: string): Promise<void> {
    let failures: string | null;
    let ttl: number;
    try {
      const key = this.key(email);
      [failures, ttl] = await withTimeout(
        Promise.all([this.redis.client.get(key), this.redis.client.ttl(key)]),
        REDIS_TIMEOUT_MS,
        'Redis',
      );
    } catch (error) {
      this.logger.warn(`login throttle unavailable, not throttling: ${(error as Error).message}`);
      return;
    }
    if (Number(failures ?? 0) >= MAX_FAILED_LOGINS) {
      throw new TooManyLoginAttemptsException(ttl > 0 ? ttl : FAILED_LOGIN_WINDOW_SECONDS);
    }
  }

  async recordFailure(email: string): Promise<void> {
    const key = this.key(email);
    try {
      await withTimeout(
        this.redis.client.multi().set(key, '0', 'EX', FAILED_LOGIN_WINDOW_SECONDS, 'NX').incr(key).exec(),
        REDIS_TIMEOUT_MS,
        'Redis',
      );
    } catch (error) {
      this.logger.warn(`could not count a failed login: ${(error as Error).message}`);
    }
  }

  async reset(email: string): Promise<void> {
    await withTimeout(this.redis.client.del(this.key(email)), REDIS_TIMEOUT_MS, 'Redis').catch(() => undefined);
  }
}
