import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createApiMetrics, createWorkerMetrics, processMetrics } from '../../observability/metrics';
import { dashboardQueries, familyOf, readDashboard } from '../support/dashboard';

const root = path.resolve(__dirname, '..', '..');
const composeFile = path.join(root, 'docker-compose.yml');

/** `docker compose` (v2 plugin) or `docker-compose` (v1), when this machine has either. */
function composeCommand(): string[] | undefined {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(cmd[0], [...cmd.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return cmd;
  }
  return undefined;
}

describe('docker-compose.yml', () => {
  const compose = parse(fs.readFileSync(composeFile, 'utf8'), { merge: true }) as {
    services: Record<
      string,
      { image?: string; build?: unknown; healthcheck?: { test: unknown }; depends_on?: Record<string, { condition: string }>; environment?: Record<string, string>; command?: string[]; volumes?: string[]; ports?: string[] }
    >;
  };

  it('is accepted by `docker compose config` where the docker CLI can run it', () => {
    const cmd = composeCommand();
    if (!cmd) {
      // No engine or compose plugin on this machine: say so plainly; the structural checks below still run.
      process.stdout.write('docker compose is not available here: the file was checked structurally only\n');
      expect(composeCommand()).toBeUndefined();
      return;
    }
    const result = spawnSync(cmd[0], [...cmd.slice(1), '-f', composeFile, 'config', '--quiet'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('declares postgres, temporal (server image on postgres), temporal-ui, api, worker, prometheus and grafana, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'grafana', 'postgres', 'prometheus', 'temporal', 'temporal-ui', 'worker']);
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, hasHealthcheck: Array.isArray(service.healthcheck?.test) }).toEqual({ name, hasHealthcheck: true });
    }
    expect(compose.services.temporal.image).toMatch(/^temporalio\/auto-setup:/);
    expect(compose.services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(compose.services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
  });

  it('runs the API and the worker from this repository against compose-internal PostgreSQL and Temporal', () => {
    for (const role of ['api', 'worker'] as const) {
      const service = compose.services[role];
      expect(service.build).toMatchObject({ context: '.', additional_contexts: { shared: expect.stringContaining('shared/data') } });
      expect(service.command).toEqual(['node', `dist/runtime/${role}-main.js`]);
      expect(service.environment?.DATABASE_URL).toMatch(/@postgres:5432\//);
      expect(service.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(service.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, temporal: { condition: 'service_healthy' } });
      expect(fs.existsSync(path.join(root, 'runtime', `${role}-main.ts`))).toBe(true);
    }
    expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
  });

  /** host path -> container path of a service's bind mounts (relative host paths only). */
  const binds = (service: string) =>
    new Map(
      (compose.services[service].volumes ?? [])
        .filter((v) => v.startsWith('./'))
        .map((v) => {
          const [host, container] = v.split(':');
          return [path.join(root, host), container] as const;
        }),
    );

  it('has Prometheus scrape the API port and the worker metrics port with the same bearer token they check', () => {
    const mounts = binds('prometheus');
    const configFile = [...mounts].find(([, container]) => container === '/etc/prometheus/prometheus.yml')?.[0];
    expect(configFile).toBeDefined();
    const config = parse(fs.readFileSync(configFile!, 'utf8')) as {
      scrape_configs: Array<{ job_name: string; metrics_path?: string; authorization?: { type: string; credentials_file: string }; static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = Object.fromEntries(config.scrape_configs.map((job) => [job.job_name, job]));
    const api = compose.services.api.environment!;
    const worker = compose.services.worker.environment!;
    expect(targets['tidings-api'].static_configs[0].targets).toEqual([`api:${api.PORT}`]);
    expect(targets['tidings-worker'].static_configs[0].targets).toEqual([`worker:${worker.METRICS_PORT}`]);
    // The worker's metrics listener must be reachable from the Prometheus container.
    expect(worker.METRICS_HOST).toBe('0.0.0.0');
    expect(api.HOST).toBe('0.0.0.0');
    const prometheus = compose.services.prometheus;
    for (const job of Object.values(targets)) {
      expect(job.metrics_path ?? '/metrics').toBe('/metrics');
      expect(job.authorization?.type).toBe('Bearer');
      // The entrypoint writes the token to exactly that file before Prometheus starts.
      expect(prometheus.command!.join(' ')).toContain(`> ${job.authorization!.credentials_file}`);
    }
    expect(api.METRICS_TOKEN).toBeTruthy();
    expect(worker.METRICS_TOKEN).toBe(api.METRICS_TOKEN);
    expect(prometheus.environment!.METRICS_TOKEN).toBe(api.METRICS_TOKEN);
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d/);
  });

  it('provisions Grafana with the Prometheus datasource and the Tidings dashboard from this repository', () => {
    const mounts = binds('grafana');
    expect(compose.services.grafana.image).toMatch(/^grafana\/grafana:\d/);
    expect(compose.services.grafana.depends_on).toMatchObject({ prometheus: { condition: 'service_healthy' } });
    const provisioning = [...mounts].find(([, c]) => c === '/etc/grafana/provisioning')?.[0];
    expect(provisioning).toBeDefined();
    const datasources = parse(fs.readFileSync(path.join(provisioning!, 'datasources', 'prometheus.yml'), 'utf8')) as { datasources: Array<{ uid: string; type: string; url: string }> };
    expect(datasources.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const providers = parse(fs.readFileSync(path.join(provisioning!, 'dashboards', 'tidings.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
    const dashboardsDir = [...mounts].find(([, c]) => c === providers.providers[0].options.path)?.[0];
    expect(dashboardsDir).toBeDefined();
    expect(fs.readdirSync(dashboardsDir!)).toContain('tidings.json');
    // Every query panel reads the provisioned datasource.
    const dashboard = readDashboard();
    const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(queryPanels.length).toBeGreaterThanOrEqual(8);
    for (const panel of queryPanels) expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid: datasources.datasources[0].uid });
  });

  it("has the panels an operator watches, and its PromQL parses and names only metrics the code registers", async () => {
    const titles = readDashboard().panels.map((p) => p.title.toLowerCase());
    for (const wanted of ['ingest rate', 'scoring lag', 'signal rate', 'error rate', 'p99 latency']) expect(titles.some((t) => t.includes(wanted))).toBe(true);

    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(15);
    expect(queries.filter((q) => q.syntaxErrors.length > 0 || q.metrics.length === 0)).toEqual([]);

    const registered = new Map<string, string>();
    for (const registry of [createApiMetrics().registry, createWorkerMetrics().registry, processMetrics()]) {
      for (const metric of await registry.getMetricsAsJSON()) registered.set(metric.name, String(metric.type));
    }
    const histograms = new Set([...registered].filter(([, type]) => type === 'histogram').map(([name]) => name));
    const referenced = new Set(queries.flatMap((q) => q.metrics));
    const ours = [...referenced].filter((m) => m.startsWith('tidings_'));
    expect(ours.length).toBeGreaterThanOrEqual(12);
    expect(ours.filter((m) => !registered.has(familyOf(m, histograms)))).toEqual([]);
    // The only other names are the Temporal SDK's (checked against a live worker in metrics.test.ts).
    expect([...referenced].filter((m) => !m.startsWith('tidings_') && !m.startsWith('temporal_'))).toEqual([]);
    // A histogram is queried through its _bucket series, never by its bare family name.
    expect(ours.filter((m) => histograms.has(m))).toEqual([]);
  });
});
