import { HttpException } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { preFix } from '../prefix';

/** The message of every 503 caused by an unreachable database (REG-4). */
export const DATABASE_UNAVAILABLE =
  'Service temporarily unavailable: the database cannot be reached, please try again shortly';

/**
 * Prisma error codes that mean "the database did not answer", not "the
 * query was wrong". With Prisma 7 and the pg driver adapter an unreachable
 * server (connection refused) is a PrismaClientKnownRequestError P1001; a
 * connection that the server or a proxy drops is P1017; a pool that cannot
 * hand out a connection in time is P2024.
 */
const OUTAGE_CODES = new Set(['P1000', 'P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/**
 * pg's own messages for a connection that could not be opened or was lost.
 * When a TCP proxy accepts the connection and closes it at once (Docker's
 * port proxy with the Postgres container stopped does this, and so does the
 * conformance harness's), the adapter lets pg's plain
 * `Error: Connection terminated unexpectedly` through, not wrapped in any
 * Prisma error class; the next query on the same pool gets P1017.
 */
const LOST_CONNECTION =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Connection closed)|Can't reach database server|Server has closed the connection|ECONNREFUSED|ECONNRESET/i;

/** A unique constraint violation (P2002), e.g. an email registered twice. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/** Whether a Prisma error means the database is unreachable (answer 503). */
export function isDatabaseOutage(error: unknown): boolean {
  if (preFix('unmapped-outage')) return false;
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  // The post-mortem's fix, applied to the letter, stopped here: on Prisma 7
  // with @prisma/adapter-pg an outage never is an initialization error.
  if (preFix('prisma7-literal-fix')) return false;
  if (error instanceof Prisma.PrismaClientKnownRequestError) return OUTAGE_CODES.has(error.code);
  if (error instanceof Prisma.PrismaClientValidationError || error instanceof HttpException) return false;
  return error instanceof Error && LOST_CONNECTION.test(error.message.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '');
}
