/**
 * Postgres advisory lock keys, as (namespace, key) int pairs. The namespace spells "opsb" so that
 * opsbeat's locks do not collide with another application's sharing the database.
 */
export const ADVISORY_LOCKS = {
  namespace: 0x6f707362,
  /** Held for the length of a migration transaction. */
  migrate: 1,
  /** Held for the life of the leader's session: the one daemon that runs heartbeats. */
  lead: 2,
} as const;
