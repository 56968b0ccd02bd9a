import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { NestExpressApplication as App } from '@nestjs/platform-express';
import { parse } from 'dotenv';
import { ConfigurationError, validateEnv } from './config/env.validation';
import { PREFIX_SWITCHES, preFixStatus } from './prefix';

/** Request bodies above this answer 413 (REG-5). */
const BODY_LIMIT = '1mb';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/**
 * The configuration is checked before NestJS, Prisma and the rest are even
 * loaded (about a second of CPU), so a missing or default JWT_SECRET stops
 * the start at once (CFG-2, CFG-3). ConfigModule runs the same validation
 * again with the same sources: .env in the working directory, the real
 * environment over it.
 */
function checkConfiguration(): void {
  const switches = preFixStatus();
  if (switches.unknown.length > 0) {
    fail(
      `IG_PREFIX names unknown switches: ${switches.unknown.join(', ')}; known: ${Object.keys(PREFIX_SWITCHES).join(', ')}`,
    );
  }
  const envFile = resolve(process.cwd(), '.env');
  const fromFile = existsSync(envFile) ? parse(readFileSync(envFile)) : {};
  try {
    validateEnv({ ...fromFile, ...process.env });
  } catch (error) {
    if (error instanceof ConfigurationError) fail(`Cannot start the application. ${error.message}`);
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  checkConfiguration();
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only once the configuration is valid */
  require('reflect-metadata');
  const { Logger, ValidationPipe } = require('@nestjs/common') as typeof import('@nestjs/common');
  const { ConfigService } = require('@nestjs/config') as typeof import('@nestjs/config');
  const { NestFactory } = require('@nestjs/core') as typeof import('@nestjs/core');
  const { AppModule } = require('./app.module') as typeof import('./app.module');
  const { corsOptions } = require('./common/cors') as typeof import('./common/cors');
  /* eslint-enable @typescript-eslint/no-require-imports */

  let app: App;
  try {
    // abortOnError: false, so that an error while the modules start reaches
    // the catch below and exits with status 1 instead of aborting.
    app = await NestFactory.create<App>(AppModule, { abortOnError: false, forceCloseConnections: true });
  } catch (error) {
    fail(`Cannot start the application: ${(error as Error).message}`);
  }
  const on = preFixStatus().on;
  if (on.length > 0) new Logger('Bootstrap').warn(`pre-fix switches on (IG_PREFIX): ${on.join(', ')}`);

  const config = app.get(ConfigService);
  app.disable('x-powered-by');
  app.enableCors(corsOptions(config.getOrThrow<string>('CORS_ORIGIN')));
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true }));
  app.enableShutdownHooks();

  const port = Number(config.getOrThrow<string>('PORT'));
  const host = config.get<string>('HOST');
  try {
    if (host) await app.listen(port, host);
    else await app.listen(port);
  } catch (error) {
    fail(`Cannot start the application: ${(error as Error).message}`);
  }
  const address = app.getHttpServer().address() as AddressInfo;
  console.log(`Application is running on: http://localhost:${address.port}`);
  // start.cjs, when it found no code cache, writes one now that the start's
  // functions have run.
  const listening = (globalThis as Record<symbol, unknown>)[Symbol.for('insight-garden.listening')];
  if (typeof listening === 'function') listening();
}

void bootstrap();
