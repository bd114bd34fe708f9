import { InvariantError } from '../../../errors.js';
import type { Logger } from '../../../logging/logger.js';
import type { Redactor } from '../../../logging/redactor.js';
import type { DeploymentRecord } from '../types.js';
import type { GithubApi } from './github-api.js';
import { Deployment, DeploymentStatus } from './schema.js';
import type { RepoRef } from './tickets.js';

export interface DeploymentSettings {
  /** The GitHub environment; `{app}` is replaced with the Fly app name. */
  environment: string;
  /** The repository holding the deployed commits. */
  repo: RepoRef;
}

const SHA = /^[0-9a-f]{7,40}$/i;
/** GitHub cuts deployment descriptions at 140 characters. */
const DESCRIPTION_MAX = 140;

/**
 * Each opsbeat deploy as a GitHub Deployment on the deployed commit, with a status per state
 * (`in_progress`, then `success` or `failure`), so pull requests show where their code runs.
 * The Deployment carries opsbeat's deployment id in its payload and is found again by it, so a
 * retry or a restart never creates a second one; creating it is therefore never retried blindly.
 */
export class DeploymentRecorder {
  private readonly ids = new Map<string, number>();
  private readonly posted = new Map<string, DeploymentRecord['state']>();

  constructor(private readonly deps: { api: GithubApi; settings: DeploymentSettings; redactor: Redactor; logger: Logger }) {}

  async record(record: DeploymentRecord): Promise<void> {
    if (!SHA.test(record.ref)) {
      if (!this.posted.has(record.deployment)) {
        this.deps.logger.info({ deployment: record.deployment, ticket: record.ticket }, 'the ticket ref is not a commit SHA; no GitHub Deployment is recorded');
        this.posted.set(record.deployment, record.state);
      }
      return;
    }
    if (this.posted.get(record.deployment) === record.state) return;
    const environment = this.deps.settings.environment.replaceAll('{app}', record.app);
    const id = await this.ensureDeployment(record, environment);
    await this.deps.api.send(
      'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      {
        ...this.deps.settings.repo,
        deployment_id: id,
        state: record.state,
        description: this.description(record.description),
        environment,
        ...(record.logUrl ? { log_url: record.logUrl } : {}),
        ...(record.environmentUrl ? { environment_url: record.environmentUrl } : {}),
      },
      DeploymentStatus,
      this.call(record, 'record a deployment status for'),
    );
    this.posted.set(record.deployment, record.state);
  }

  private async ensureDeployment(record: DeploymentRecord, environment: string): Promise<number> {
    const known = this.ids.get(record.deployment);
    if (known !== undefined) return known;
    const { items } = await this.deps.api.readAll(
      'GET /repos/{owner}/{repo}/deployments',
      { ...this.deps.settings.repo, ref: record.ref, environment },
      Deployment,
      this.call(record, 'find the GitHub Deployment of'),
    );
    const found = items.find((d) => typeof d.payload === 'object' && d.payload?.opsbeat === record.deployment);
    const id =
      found?.id ??
      (
        await this.deps.api.send(
          'POST /repos/{owner}/{repo}/deployments',
          {
            ...this.deps.settings.repo,
            ref: record.ref,
            environment,
            description: this.description(`${record.ticket}: ${record.description}`),
            auto_merge: false,
            required_contexts: [],
            payload: { opsbeat: record.deployment, ticket: record.ticket, app: record.app },
          },
          Deployment,
          this.call(record, 'create the GitHub Deployment of'),
          { retries: 0 },
        )
      )?.id;
    if (id === undefined) throw new InvariantError('a created GitHub Deployment has no id', { fields: { deployment: record.deployment } });
    this.ids.set(record.deployment, id);
    return id;
  }

  private description(text: string): string {
    const safe = this.deps.redactor.redact(text);
    return safe.length <= DESCRIPTION_MAX ? safe : `${safe.slice(0, DESCRIPTION_MAX - 1)}…`;
  }

  private call(record: DeploymentRecord, verb: string) {
    return { what: `${verb} ${record.deployment}`, fields: { deployment: record.deployment, ticket: record.ticket, app: record.app } };
  }
}
