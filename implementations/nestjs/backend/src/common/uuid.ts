/**
 * The text form of a UUID, as Postgres's `uuid` type reads it. Ids are
 * checked against it before they reach Prisma: a malformed one on a
 * `@db.Uuid` column is an error (P2023), which would answer 500, while an
 * id that cannot exist is simply not found.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID string. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
