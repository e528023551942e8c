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

  /** The compose file as written (anchors merged), before any variable is interpolated. */
  const raw = parse(fs.readFileSync(composeFile, 'utf8'), { merge: true }) as Record<string, unknown> & { volumes?: Record<string, unknown> };
  const DURATION = /^\d+(ms|s|m|h)$/;
  /** `${NAME}` / `${NAME:-default}` interpolations and `$$` escapes only: a lone `$` is a compose error. */
  const badDollar = (text: string) => text.replace(/\$\$/g, '').replace(/\$\{[A-Z_][A-Z0-9_]*(:?-[^}]*)?\}/g, '').includes('$');
  /** The value compose gives `text` with no variables set (each `${NAME:-default}` becomes its default). */
  const withDefaults = (text: string) => text.replace(/\$\{[A-Z_][A-Z0-9_]*(?::?-([^}]*))?\}/g, (_m, d: string | undefined) => d ?? '').replace(/\$\$/g, '$');

  it('is a well-formed compose file: known keys, images pinned, dependencies and health checks consistent, volumes declared', () => {
    for (const key of Object.keys(raw)) expect(['name', 'services', 'volumes', 'networks', 'configs', 'secrets'].includes(key) || key.startsWith('x-')).toBe(true);
    const names = Object.keys(compose.services);
    const namedVolumesUsed = new Set<string>();
    const hostPorts: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      const where = (what: string) => `${name}: ${what}`;
      // An image pinned to a version, or a build of this repository; never both, never neither.
      expect(where(service.image ? 'image' : service.build ? 'build' : 'neither')).toBe(where(service.image ? 'image' : 'build'));
      if (service.image) expect(where(service.image)).toMatch(/^[^: ]+: [a-z0-9./-]+:v?\d[\w.-]*$/);
      // Built from this checkout, with the shared data as the extra build context "shared" (never copied in).
      else expect(service.build).toMatchObject({ context: '.', additional_contexts: { shared: expect.stringContaining('shared/data') } });
      // Health checks compose can run, with durations it understands.
      const hc = service.healthcheck as { test: unknown[]; interval?: string; timeout?: string; start_period?: string; retries?: number };
      expect(where(String(hc.test[0]))).toMatch(/: CMD(-SHELL)?$/);
      expect(hc.test.length).toBeGreaterThan(1);
      for (const d of [hc.interval, hc.timeout, hc.start_period].filter((v) => v !== undefined)) expect(where(String(d))).toMatch(new RegExp(`: ${DURATION.source.slice(1)}`));
      expect(Number.isInteger(hc.retries) && hc.retries! > 0).toBe(true);
      // Dependencies name real services, with a condition compose knows; waiting for "healthy" needs a health check there.
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(names).toContain(dep);
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition);
        if (condition === 'service_healthy') expect(Array.isArray(compose.services[dep].healthcheck?.test)).toBe(true);
      }
      // Environment values are scalars, and every `$` is an interpolation or escaped.
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        expect(where(`${key}=${typeof value}`)).toMatch(/=(string|number|boolean)$/);
        expect(where(`${key} ${badDollar(String(value)) ? 'has a lone $' : 'ok'}`)).toBe(where(`${key} ok`));
      }
      for (const part of [...(service.command ?? []), ...((service as { entrypoint?: string[] }).entrypoint ?? [])]) expect(badDollar(part)).toBe(false);
      // Volumes: bind mounts of files that exist, named volumes declared at the top level.
      for (const volume of service.volumes ?? []) {
        const [source, target, mode] = volume.split(':');
        expect(target.startsWith('/')).toBe(true);
        if (source.startsWith('./')) {
          expect(where(`${source} ${fs.existsSync(path.join(root, source)) ? 'exists' : 'is missing'}`)).toBe(where(`${source} exists`));
          expect(where(`${source}:${mode}`)).toBe(where(`${source}:ro`)); // configuration is read, never written
        } else {
          expect(Object.keys(raw.volumes ?? {})).toContain(source);
          namedVolumesUsed.add(source);
        }
      }
      for (const port of service.ports ?? []) {
        expect(where(port)).toMatch(/: \d+:\d+$/);
        hostPorts.push(port.split(':')[0]);
      }
    }
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    // Every declared volume is used; PostgreSQL, Prometheus and Grafana keep their data in one.
    expect([...namedVolumesUsed].sort()).toEqual(Object.keys(raw.volumes ?? {}).sort());
    for (const [service, dataDir] of [['postgres', '/var/lib/postgresql/data'], ['prometheus', '/prometheus'], ['grafana', '/var/lib/grafana']]) {
      expect(compose.services[service].volumes!.some((v) => !v.startsWith('./') && v.split(':')[1] === dataDir)).toBe(true);
    }
    // Where this machine has a compose CLI, compose itself must agree; the checks above hold either way.
    const cmd = composeCommand();
    if (cmd) {
      const result = spawnSync(cmd[0], [...cmd.slice(1), '-f', composeFile, 'config', '--quiet'], { encoding: 'utf8' });
      expect({ stderr: result.stderr, status: result.status }).toEqual({ stderr: '', status: 0 });
    }
  });

  it('gives the API and the worker only settings the code reads, consistent with PostgreSQL and the image', () => {
    const sources = ['config/config.ts', 'runtime/worker-main.ts', 'runtime/api-main.ts'].map((f) => fs.readFileSync(path.join(root, f), 'utf8')).join('\n');
    const pg = compose.services.postgres.environment!;
    for (const role of ['api', 'worker'] as const) {
      const env = compose.services[role].environment!;
      for (const key of Object.keys(env)) expect(`${role} ${key} ${new RegExp(`['.]${key}\\b`).test(sources) ? 'is read' : 'is read by nothing'}`).toBe(`${role} ${key} is read`);
      const url = new URL(withDefaults(env.DATABASE_URL));
      expect([url.username, url.password, url.pathname.slice(1)]).toEqual([withDefaults(pg.POSTGRES_USER), withDefaults(pg.POSTGRES_PASSWORD), withDefaults(pg.POSTGRES_DB)]);
      expect(env.NODE_ENV).toBe('production');
    }
    expect(withDefaults(compose.services.temporal.environment!.POSTGRES_PWD)).toBe(withDefaults(pg.POSTGRES_PASSWORD));
    // The API's health check asks /ready on the port it listens on; the worker's reads the heartbeat file it is told to touch.
    const api = compose.services.api;
    expect((api.healthcheck!.test as string[]).join(' ')).toContain(`http://127.0.0.1:${api.environment!.PORT}/ready`);
    expect(fs.readFileSync(path.join(root, 'api', 'health.ts'), 'utf8')).toContain(`'/ready'`);
    const worker = compose.services.worker;
    expect((worker.healthcheck!.test as string[]).join(' ')).toContain(`statSync('${worker.environment!.TIDINGS_HEARTBEAT_FILE}')`);
    // The image both run: built with the prebuilt workflow bundle, and carrying what they read at run time.
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN npm run build && npm run build:web && node -e "require\('\.\/dist\/runtime\/workflow-bundle'\)\.ensureWorkflowBundle\(\)"/);
    expect(fs.readFileSync(path.join(root, 'runtime', 'workflow-bundle.ts'), 'utf8')).toMatch(/export (async )?function ensureWorkflowBundle/);
    for (const dir of ['node_modules', 'dist', 'models']) expect(dockerfile).toContain(`COPY --from=build /app/${dir} ./${dir}`);
    expect(fs.existsSync(path.join(root, 'models', 'sentiment', 'active.json'))).toBe(true);
    expect(dockerfile).toContain(`ENV NODE_ENV=production HOST=0.0.0.0 PORT=${api.environment!.PORT}`);
    expect(dockerfile).toContain(`CMD ${JSON.stringify(api.command)}`.replace(/","/g, '", "'));
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
