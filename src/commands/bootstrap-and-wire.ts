import { wire, type WireOptions, type Wiring } from '../wire.js';
import { bootstrap, type Booted } from './bootstrap.js';
import type { Io } from './io.js';
import { reportError } from './report-error.js';

export interface Wired extends Booted {
  wiring: Wiring;
}

export interface BootstrapAndWireOptions extends Omit<WireOptions, 'logger' | 'redactor'> {
  logTo: 'stdout' | 'stderr' | 'file';
  requireEnvironment: boolean;
  /** The exit code for an error from wiring, after it is reported; 1 unless the command says otherwise. */
  exitCodeFor?: (err: unknown) => number;
}

/**
 * What every command that works with the real adapters starts with: bootstrap, then wire them
 * from `io.env`. A problem is printed for the person at the terminal and its exit code returned.
 */
export async function bootstrapAndWire(file: string, io: Io, options: BootstrapAndWireOptions): Promise<Wired | number> {
  const { logTo, requireEnvironment, exitCodeFor, ...wireOptions } = options;
  const booted = await bootstrap(file, io, { logTo, requireEnvironment });
  if (!booted) return 1;
  const { config, logger, redactor } = booted;
  try {
    return { ...booted, wiring: await wire(config, io.env, { ...wireOptions, logger, redactor }) };
  } catch (err) {
    const code = exitCodeFor?.(err) ?? 1;
    reportError(io, err, redactor);
    return code;
  }
}
