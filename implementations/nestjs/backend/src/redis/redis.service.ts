import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';

/** Rejects when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The Redis connection (REDIS_HOST, REDIS_PORT). The app starts without
 * Redis and reconnects in the background; commands never queue while it
 * is away, so callers fail fast (health says so, login goes unthrottled).
 */
@Injectable()
export class RedisService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis;
  private lastError: string | undefined;

  constructor(config: ConfigService) {
    const host = config.getOrThrow<string>('REDIS_HOST');
    const port = Number(config.getOrThrow<string>('REDIS_PORT'));
    this.client = new Redis({
      host,
      port,
      connectTimeout: 1_000,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    this.client.on('error', (error: Error) => {
      if (error.message !== this.lastError) {
        this.lastError = error.message;
        this.logger.warn(`Redis at ${host}:${port}: ${error.message}`);
      }
    });
    this.client.on('ready', () => {
      if (this.lastError !== undefined) this.logger.log(`Redis at ${host}:${port} is back`);
      this.lastError = undefined;
    });
  }

  async onModuleInit(): Promise<void> {
    if (this.client.status === 'ready') return;
    await withTimeout(
      new Promise<void>((resolve) => this.client.once('ready', () => resolve())),
      2_000,
      'Redis',
    ).catch(() => this.logger.warn('starting without Redis; it is retried in the background'));
  }

  async ping(): Promise<void> {
    const answer = await withTimeout(this.client.ping(), 2_000, 'Redis PING');
    if (answer !== 'PONG') throw new Error(`Redis PING answered ${answer}`);
  }

  async onModuleDestroy(): Promise<void> {
    this.client.disconnect();
  }
}
