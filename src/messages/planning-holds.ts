/** Ticket comments for tickets that passed the gate but cannot be planned. */
export const holdMessageForPlanning = {
  noRollbackTarget: (app: string, why: string): string =>
    [
      `**Held: no rollback target for \`${app}\`.** opsbeat deploys only when it knows the exact image to return to, and ${why}.`,
      '',
      `Fix: make sure \`${app}\` runs one release on all its machines (\`fly status --app ${app}\`), then leave the ticket in rfp; the next heartbeat plans it again.`,
    ].join('\n'),
  migrationsUnverifiable: (ticket: string, app: string): string =>
    [
      `**Held: ${ticket} declares migrations, but opsbeat cannot verify them for \`${app}\`.**`,
      '',
      `Fix: configure \`apps.${app}.database.urlEnv\` with the name of an environment variable holding a read-only URL of the app's database, or remove \`migrations\` from the deploy block if none are needed.`,
    ].join('\n'),
  alreadyLive: (app: string, image: string): string =>
    [
      `**Held: \`${image}\` is already live on \`${app}\`.** There is nothing to deploy.`,
      '',
      'Fix: if this ticket is done, close it; if it should ship a new build, update `ref` in the deploy block.',
    ].join('\n'),
};
