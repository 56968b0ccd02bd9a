import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';
import { RedisService, withTimeout } from '../redis/redis.service';

type Check = { status: 'up' } | { status: 'down'; message: string };

async function check(name: string, probe: () => Promise<unknown>): Promise<Check> {
  try {
    await withTimeout(probe(), 3_000, name);
    return { status: 'up' };
  } catch (error) {
    const reason = (error as Error).message.split('\n').filter((l) => l.trim()).slice(-1)[0]?.trim() ?? 'no answer';
    return { status: 'down', message: `${name} is unavailable: ${reason}` };
  }
}

/**
 * GET /health in @nestjs/terminus's shape: 200 when Postgres and Redis both
 * answer, else 503 with the failing dependency under `error` (INF-1).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
  ) {}

  @Get()
  async health() {
    const [database, redis] = await Promise.all([
      check('database', () => this.prisma.$queryRaw`SELECT 1`),
      check('redis', () => this.redis.ping()),
    ]);
    const details = { database, redis };
    const up = Object.fromEntries(Object.entries(details).filter(([, c]) => c.status === 'up'));
    const down = Object.fromEntries(Object.entries(details).filter(([, c]) => c.status === 'down'));
    const healthy = Object.keys(down).length === 0;
    const body = { status: healthy ? 'ok' : 'error', info: up, error: down, details };
    if (healthy) return body;
    const message = Object.values(down)
      .map((c) => (c.status === 'down' ? c.message : ''))
      .join('; ');
    // The NestJS error fields as well, as every error of this API has them.
    throw new HttpException(
      { statusCode: HttpStatus.SERVICE_UNAVAILABLE, message, ...body },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
}
