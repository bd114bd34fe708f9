import { z } from 'zod';

/**
 * What flyctl prints, limited to the fields opsbeat reads. flyctl serialises Go structs: those
 * with json tags give snake_case keys and omit empty values; those without give PascalCase keys
 * with zero values. Either way a key can be missing or `null`, so every key is `nullish`.
 */

/** One health-check result on a machine (`status`: passing | warning | critical). */
export const MachineCheckResult = z.object({
  name: z.string().nullish(),
  status: z.string().nullish(),
  output: z.string().nullish(),
});
export type MachineCheckResult = z.infer<typeof MachineCheckResult>;

/** The part of a machine's config we read; `config` is omitted when the host is unreachable. */
export const MachineConfig = z.object({
  /** Full image reference the machine runs: the rollback target. */
  image: z.string().nullish(),
  /** fly_release_version is a number written as a string; fly_process_group e.g. "app". */
  metadata: z.record(z.string(), z.string()).nullish(),
  /** Top-level checks, keyed by their fly.toml name. */
  checks: z.record(z.string(), z.unknown()).nullish(),
  services: z.array(z.object({ checks: z.array(z.unknown()).nullish() })).nullish(),
  /** Non-empty => a standby machine (normally stopped). */
  standbys: z.array(z.string()).nullish(),
});
export type MachineConfig = z.infer<typeof MachineConfig>;

/**
 * A Machine object (reference 3.1). `id` is required: a machine without one cannot be checked
 * or addressed, so such output is treated as malformed rather than guessed at.
 */
export const FlyMachine = z.object({
  id: z.string(),
  state: z.string().nullish(),
  region: z.string().nullish(),
  /** ok | unknown | unreachable; anything but ok is a bad host. */
  host_status: z.string().nullish(),
  config: MachineConfig.nullish(),
  /** Omitted while the machine has no check results yet. */
  checks: z.array(MachineCheckResult).nullish(),
});
export type FlyMachine = z.infer<typeof FlyMachine>;

/** `fly status --json` (reference 3.3). */
export const FlyStatus = z.object({
  Name: z.string().nullish(),
  Deployed: z.boolean().nullish(),
  /** Current release version; 0 when none. */
  Version: z.number().int().nullish(),
  Hostname: z.string().nullish(),
  Machines: z.array(FlyMachine).nullish(),
});
export type FlyStatus = z.infer<typeof FlyStatus>;

/** One entry of `fly releases --json` (reference 3.4); the array is newest first, at most 25. */
export const FlyRelease = z.object({
  ID: z.string().nullish(),
  Version: z.number().int().nullish(),
  /** complete | failed | running | interrupted | pending */
  Status: z.string().nullish(),
  ImageRef: z.string().nullish(),
  /** RFC 3339. */
  CreatedAt: z.string().nullish(),
  User: z.object({ Name: z.string().nullish(), Email: z.string().nullish() }).nullish(),
});
export type FlyRelease = z.infer<typeof FlyRelease>;

export const FlyReleases = z.array(FlyRelease).nullable();
export type FlyReleases = z.infer<typeof FlyReleases>;

/** `fly secrets list --json` (reference 3.7): names and digests, never values. */
export const FlySecrets = z.array(z.object({ name: z.string() })).nullable();
export type FlySecrets = z.infer<typeof FlySecrets>;

/** The one line `fly deploy` prints with FLY_EMIT_RELEASE_JSON set (reference 2.4). */
export const FlyDeployRelease = z.object({
  id: z.string().nullish(),
  version: z.number().int().nullish(),
  image_ref: z.string().nullish(),
});
export type FlyDeployRelease = z.infer<typeof FlyDeployRelease>;

/** One value of the `fly logs --json` stream (reference 3.10). */
export const FlyLogEntry = z.object({
  timestamp: z.string().nullish(),
  level: z.string().nullish(),
  message: z.string().nullish(),
  /** The machine ID. */
  instance: z.string().nullish(),
  region: z.string().nullish(),
});
export type FlyLogEntry = z.infer<typeof FlyLogEntry>;
