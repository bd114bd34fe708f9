import { describe, expect, it } from 'vitest';
import { USAGE } from '../../src/args.js';
import { baseEnv, runOpsbeat } from '../helpers/sandbox-process.js';

// The process edge of the CLI: argv in, exact text and exit code out.
describe('opsbeat help and argument errors', { timeout: 300_000 }, () => {
  it('prints the usage for `help`, `--help`, `-h` and no command at all, and exits 0', async () => {
    const results = await Promise.all([['help'], ['--help'], ['once', '-h'], []].map((argv) => runOpsbeat(argv, { env: baseEnv() })));
    for (const result of results) {
      expect(result).toMatchObject({ code: 0, stdout: `${USAGE}\n`, stderr: '' });
    }
    expect(results[0]!.stdout).toContain('Usage: opsbeat <command> [--config config/opsbeat.yaml]\n');
    expect(results[0]!.stdout).toContain('  plan <ticket>    show the gate decision and deploy plan for a ticket; nothing is executed (--json)\n');
    expect(results[0]!.stdout).toContain('  once             run one heartbeat and exit (0: it ran; 1: a step failed; 2: another daemon leads)\n');
  });

  it('names an unknown command on stderr, shows the usage, and exits 1', async () => {
    const result = await runOpsbeat(['deploy-everything'], { env: baseEnv() });
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: `unknown command "deploy-everything"\n\n${USAGE}\n` });
  });

  it('says `--config` needs a file name, and what `config` alone is for', async () => {
    const [noFile, configAlone] = await Promise.all([
      runOpsbeat(['once', '--config'], { env: baseEnv() }),
      runOpsbeat(['config', '--config', 'x.yaml'], { env: baseEnv() }),
    ]);
    expect(noFile).toMatchObject({ code: 1, stdout: '', stderr: '--config needs a file name\n' });
    expect(configAlone).toMatchObject({ code: 1, stdout: '', stderr: 'usage: opsbeat config check [--config file]\n' });
  });
});
