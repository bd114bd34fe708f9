/** HTTP probes: health endpoints and smoke checks, with a hard deadline each. */

export type ProbeFailure = 'timeout' | 'too_slow' | 'unexpected_status' | 'connection_failed';

export interface ProbeResult {
  url: string;
  ok: boolean;
  status?: number;
  durationMs: number;
  failure?: ProbeFailure;
  /** One line for humans, e.g. "HTTP 503 in 41 ms" or "no answer within 2000 ms". */
  summary: string;
}

export interface ProbeExpectation {
  status: number;
  maxMs: number;
}

export interface Probes {
  check(url: string, expect: ProbeExpectation, signal?: AbortSignal): Promise<ProbeResult>;
}
