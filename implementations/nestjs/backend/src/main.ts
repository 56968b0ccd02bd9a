import 'reflect-metadata';
import { Logger, ValidationPipe } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { corsOptions } from './common/cors';
import { PREFIX_SWITCHES, preFixStatus } from './prefix';

/** Request bodies above this answer 413 (REG-5). */
const BODY_LIMIT = '1mb';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function bootstrap(): Promise<void> {
  const switches = preFixStatus();
  if (switches.unknown.length > 0) {
    fail(`IG_PREFIX names unknown switches: ${switches.unknown.join(', ')}; known: ${Object.keys(PREFIX_SWITCHES).join(', ')}`);
  }

  let app: NestExpressApplication;
  try {
    // abortOnError: false, so a configuration error (JWT_SECRET missing or
    // the default, CFG-2/3) reaches the catch below and exits with status 1.
    app = await NestFactory.create<NestExpressApplication>(AppModule, { abortOnError: false, forceCloseConnections: true });
  } catch (error) {
    fail(`Cannot start the application: ${(error as Error).message}`);
  }
  const logger = new Logger('Bootstrap');
  if (switches.on.length > 0) logger.warn(`pre-fix switches on (IG_PREFIX): ${switches.on.join(', ')}`);

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
}

void bootstrap();
