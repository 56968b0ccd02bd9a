import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { applyMigrations } from './migrate';

/**
 * The Prisma client over the pg driver adapter. A refused or dropped
 * connection fails at once; one that hangs is given up after 10 s (a query
 * after 10 s), so an outage answers 503 rather than waiting forever. Broken
 * connections leave the pool on their own, so it heals when Postgres is
 * back (REG-4) without a restart.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PrismaService.name);
  private readonly databaseUrl: string;

  constructor(config: ConfigService) {
    const databaseUrl = config.getOrThrow<string>('DATABASE_URL');
    const logger = new Logger(PrismaService.name);
    const adapter = new PrismaPg(
      {
        connectionString: databaseUrl,
        max: 10,
        // A refused connection (an outage) fails at once whatever this is;
        // only a slow one waits. At 5 s, ten registrations at once through
        // a database 60 ms away on a busy 2-core machine opened their
        // connections too slowly and one answered 503 (reg-3-slow-database).
        connectionTimeoutMillis: 10_000,
        idleTimeoutMillis: 30_000,
        query_timeout: 10_000,
      },
      {
        onPoolError: (error) => logger.warn(`idle database connection lost: ${error.message}`),
        onConnectionError: (error) => logger.warn(`database connection lost: ${error.message}`),
      },
    );
    super({ adapter });
    this.databaseUrl = databaseUrl;
  }

  async onModuleInit(): Promise<void> {
    await applyMigrations(this.databaseUrl);
    // The first query loads Prisma 7's query compiler and opens the pool
    // (a quarter of a second, much more on a busy machine): pay it before
    // the app listens, not in the first request or health check.
    await this.$queryRaw`SELECT 1`;
    await this.user.findFirst({ select: { id: true } });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect().catch((error: Error) => this.logger.warn(error.message));
  }
}
