/**
 * The Kubernetes chart (deploy/helm/tidings), rendered by the pinned Helm that the install step
 * builds into .tools/bin (installed here when still missing, never skipped): `helm lint`, then
 * `helm template` with the value sets in deploy/helm/tidings/ci/ (minimal, CNPG + KEDA,
 * external everything) and the defaults. Every rendered manifest is validated offline against
 * the Kubernetes API's JSON schemas (npm kubernetes-models; the KEDA, CloudNativePG and
 * Prometheus Operator CRDs from their @kubernetes-models packages), then checked for what
 * matters in production: queues per worker, probes, securityContext, resources, secrets never
 * inlined, KEDA triggers on exactly the worker's queues, selectors that select.
 */
import { encoderLaneQueue } from '../../domain/task-queues';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { projectTools } from '../../runtime/project-tools';
import { unknownFields } from '../support/k8s-known-fields';

const root = path.resolve(__dirname, '..', '..');
const chartDir = path.join(root, 'deploy', 'helm', 'tidings');
const umbrellaDir = path.join(root, 'deploy', 'helm', 'tidings-with-temporal');
const QUEUES = ['ingest', 'scoring', 'alerts', 'batch'];

// Loose shapes of what the chart renders: the schema validation below checks the real types.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any };
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };

let helm = '';

function helmRun(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(helm, args, { maxBuffer: 32 * 1024 * 1024, env: { ...process.env, HELM_CACHE_HOME: path.join(os.tmpdir(), 'tidings-helm-cache'), HELM_CONFIG_HOME: path.join(os.tmpdir(), 'tidings-helm-config') } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) || 1 : 0, stdout, stderr }),
    );
  });
}

async function render(valuesFile: string | undefined, extra: string[] = [], release = 'tidings'): Promise<{ text: string; docs: Manifest[] }> {
  const args = ['template', release, chartDir, '--namespace', 'trading', ...(valuesFile ? ['-f', path.join(chartDir, 'ci', valuesFile)] : []), ...extra];
  const out = await helmRun(args);
  if (out.code !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${out.stderr}`);
  const docs = parseAllDocuments(out.stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((d): d is Manifest => d !== null);
  return { text: out.stdout, docs };
}

function validateOffline(docs: Manifest[]): Array<{ kind: string; name: string; package: string | null; errors: string | null }> {
  const child = spawnSync(process.execPath, [path.join(root, 'test', 'support', 'k8s-validate.mjs')], { input: JSON.stringify(docs), encoding: 'utf8', maxBuffer: 32 * 1024 * 1024, cwd: root });
  if (child.status !== 0) throw new Error(`k8s-validate.mjs failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

const byKind = (docs: Manifest[], kind: string) => docs.filter((d) => d.kind === kind);
const one = (docs: Manifest[], kind: string, name: string) => {
  const found = docs.filter((d) => d.kind === kind && d.metadata.name === name);
  expect({ kind, name, count: found.length }).toEqual({ kind, name, count: 1 });
  return found[0];
};
const envOf = (container: any): Record<string, EnvVar> => Object.fromEntries((container.env as EnvVar[]).map((e) => [e.name, e]));
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const podSpecs = (docs: Manifest[]) =>
  docs.filter((d) => ['Deployment', 'Job', 'StatefulSet', 'DaemonSet'].includes(d.kind)).map((d) => ({ owner: `${d.kind}/${d.metadata.name}`, pod: d.spec.template }));
const workerDeployments = (docs: Manifest[]) => byKind(docs, 'Deployment').filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'worker');

const VALUE_SETS = ['minimal-values.yaml', 'cnpg-keda-values.yaml', 'external-values.yaml'];

beforeAll(async () => {
  // The install step's own function: builds the pinned Helm with `go install` if npm install could not.
  helm = await projectTools().ensureHelm({ log: (line) => process.stdout.write(`[helm install] ${line}\n`) });
}, 30 * 60_000);

describe('helm lint', () => {
  it('passes with the defaults and with every value set, warnings counted as errors', async () => {
    const version = await helmRun(['version', '--short']);
    expect(version.stdout).toContain(projectTools().HELM.version);
    for (const values of [undefined, ...VALUE_SETS]) {
      const out = await helmRun(['lint', '--strict', chartDir, ...(values ? ['-f', path.join(chartDir, 'ci', values)] : [])]);
      expect({ values, code: out.code, output: out.code === 0 ? '' : out.stdout + out.stderr }).toEqual({ values, code: 0, output: '' });
    }
  });
});

const RENDERS: Array<[string, string | undefined]> = [['the defaults', undefined], ...VALUE_SETS.map((v): [string, string] => [`ci/${v}`, v])];

describe.each(RENDERS)('helm template with %s', (_label, valuesFile) => {
  let docs: Manifest[] = [];
  let text = '';
  const values = valuesFile ? (parse(fs.readFileSync(path.join(chartDir, 'ci', valuesFile), 'utf8')) as Record<string, any>) : {};
  const defaults = parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as Record<string, any>;
  const workersWanted: Array<{ name: string; queues: string[]; keda?: { minReplicas: number; maxReplicas: number }; concurrency?: Record<string, Record<string, number>> }> = values.workers ?? defaults.workers;
  const kedaOn: boolean = values.keda?.enabled ?? false;
  const queueBase: string = values.temporal?.taskQueueBase ?? defaults.temporal.taskQueueBase;

  beforeAll(async () => {
    ({ docs, text } = await render(valuesFile));
  });

  it('every manifest is valid against the Kubernetes API schemas (CRDs included), offline', () => {
    expect(docs.length).toBeGreaterThan(5);
    const results = validateOffline(docs);
    for (const r of results) expect(r).toEqual({ kind: r.kind, name: r.name, package: expect.any(String), errors: null });
    // The CRDs are checked against their own schemas, not skipped.
    const crdPackages = Object.fromEntries(results.filter((r) => ['ScaledObject', 'Cluster', 'ServiceMonitor'].includes(r.kind)).map((r) => [r.kind, r.package]));
    for (const [kind, pkg] of Object.entries(crdPackages)) expect(`${kind}: ${pkg}`).toBe(`${kind}: ${{ ScaledObject: '@kubernetes-models/keda', Cluster: '@kubernetes-models/cloudnative-pg', ServiceMonitor: '@kubernetes-models/prometheus-operator' }[kind]}`);
    // No field the API does not know, at any depth (the schemas above allow unknown ones).
    expect(unknownFields(root, docs, results.map((r) => r.package!))).toEqual([]);
    // Names are unique per kind and fit a DNS label.
    const keys = docs.map((d) => `${d.kind}/${d.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of docs) expect(d.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });

  it('one worker Deployment per queue set, serving exactly its queues with its concurrency', () => {
    const deployments = workerDeployments(docs);
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(workersWanted.map((w) => `tidings-worker-${w.name}`).sort());
    const served = new Set<string>();
    for (const w of workersWanted) {
      const d = one(docs, 'Deployment', `tidings-worker-${w.name}`);
      const container = d.spec.template.spec.containers[0];
      expect(container.command).toEqual(['node', 'dist/runtime/worker-main.js']);
      const env = envOf(container);
      expect(env.TIDINGS_WORKER_QUEUES.value).toBe(w.queues.join(','));
      expect(env.TEMPORAL_TASK_QUEUE.value).toBe(queueBase);
      w.queues.forEach((q) => served.add(q));
      for (const [q, c] of Object.entries(w.concurrency ?? {})) {
        if (c.maxConcurrentActivities) expect(env[`TIDINGS_${q.toUpperCase()}_MAX_CONCURRENT_ACTIVITIES`].value).toBe(String(c.maxConcurrentActivities));
        if (c.maxConcurrentWorkflowTasks) expect(env[`TIDINGS_${q.toUpperCase()}_MAX_CONCURRENT_WORKFLOW_TASKS`].value).toBe(String(c.maxConcurrentWorkflowTasks));
      }
      // No concurrency variable for a queue this worker does not serve.
      for (const name of Object.keys(env).filter((n) => /^TIDINGS_[A-Z]+_MAX_CONCURRENT_/.test(n))) expect(w.queues).toContain(name.split('_')[1].toLowerCase());
      // A worker scaled by KEDA leaves replicas to it; the others run the fixed count.
      if (kedaOn && w.keda) expect(d.spec.replicas).toBeUndefined();
      else expect(typeof d.spec.replicas).toBe('number');
    }
    expect([...served].sort()).toEqual([...QUEUES].sort());
  });

  it("the KEDA triggers watch exactly the worker's queues, on the worker's Temporal", () => {
    const scaled = byKind(docs, 'ScaledObject');
    const expected = kedaOn ? workersWanted.filter((w) => w.keda) : [];
    expect(scaled.map((s) => s.metadata.name).sort()).toEqual(expected.map((w) => `tidings-worker-${w.name}`).sort());
    for (const s of scaled) {
      const target = one(docs, 'Deployment', s.spec.scaleTargetRef.name);
      const env = envOf(target.spec.template.spec.containers[0]);
      const triggers = s.spec.triggers as Array<{ type: string; metadata: Record<string, string> }>;
      expect(triggers.map((t) => t.type)).toEqual(triggers.map(() => 'temporal'));
      // Each served queue, and the scoring queue's encoder lane beside it (domain/task-queues.ts).
      const queues = env.TIDINGS_WORKER_QUEUES.value!.split(',').map((q) => `${env.TEMPORAL_TASK_QUEUE.value}-${q}`);
      expect(triggers.map((t) => t.metadata.taskQueue).sort()).toEqual([...queues, ...queues.map(encoderLaneQueue).filter((q) => !queues.includes(q))].sort());
      for (const t of triggers) {
        expect(t.metadata.endpoint).toBe(env.TEMPORAL_ADDRESS.value);
        expect(t.metadata.namespace).toBe(env.TEMPORAL_NAMESPACE.value);
        expect(Number(t.metadata.targetQueueSize)).toBeGreaterThan(0);
      }
      const wanted = workersWanted.find((w) => `tidings-worker-${w.name}` === s.metadata.name)!;
      expect([s.spec.minReplicaCount, s.spec.maxReplicaCount]).toEqual([wanted.keda!.minReplicas, wanted.keda!.maxReplicas]);
    }
    // Batch scales to zero when KEDA is on.
    if (kedaOn) expect(one(docs, 'ScaledObject', 'tidings-worker-batch').spec.minReplicaCount).toBe(0);
  });

  it('the API: readiness on /ready, liveness on /health, a Service, HPA and PDB that point at it', () => {
    const api = one(docs, 'Deployment', 'tidings-api');
    const podLabels = api.spec.template.metadata.labels;
    const c = api.spec.template.spec.containers[0];
    expect(c.command).toEqual(['node', 'dist/runtime/api-main.js']);
    const port = c.ports.find((p: { name: string }) => p.name === 'http');
    expect(envOf(c).PORT.value).toBe(String(port.containerPort));
    expect(envOf(c).HOST.value).toBe('0.0.0.0');
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const svc = one(docs, 'Service', 'tidings-api');
    expect(matches(svc.spec.selector, podLabels)).toBe(true);
    expect(matches(svc.spec.selector, workerDeployments(docs)[0].spec.template.metadata.labels)).toBe(false);
    expect(svc.spec.ports[0].targetPort).toBe('http');
    const hpaOn = values.api?.autoscaling?.enabled ?? defaults.api.autoscaling.enabled;
    expect(byKind(docs, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef)).toEqual(hpaOn ? [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'tidings-api' }] : []);
    expect(api.spec.replicas === undefined).toBe(hpaOn);
    for (const pdb of byKind(docs, 'PodDisruptionBudget')) expect(matches(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    // Worker pods prove liveness through their heartbeat file, which the worker writes under /tmp.
    for (const w of workerDeployments(docs)) {
      const wc = w.spec.template.spec.containers[0];
      expect(envOf(wc).TIDINGS_HEARTBEAT_FILE.value).toBe('/tmp/worker-heartbeat');
      expect(wc.livenessProbe.exec.command.join(' ')).toContain('/tmp/worker-heartbeat');
    }
  });

  it('every pod runs non-root on a read-only root filesystem, with requests, limits and a writable /tmp', () => {
    const pods = podSpecs(docs);
    expect(pods.length).toBeGreaterThanOrEqual(3);
    for (const { owner, pod } of pods) {
      const spec = pod.spec;
      expect({ owner, runAsNonRoot: spec.securityContext.runAsNonRoot, uid: spec.securityContext.runAsUser > 0 }).toEqual({ owner, runAsNonRoot: true, uid: true });
      expect({ owner, token: spec.automountServiceAccountToken }).toEqual({ owner, token: false });
      for (const c of spec.containers) {
        const sc = c.securityContext;
        expect({ owner, ro: sc.readOnlyRootFilesystem, esc: sc.allowPrivilegeEscalation, drop: sc.capabilities.drop }).toEqual({ owner, ro: true, esc: false, drop: ['ALL'] });
        expect({ owner, cpu: Boolean(c.resources.requests.cpu), memReq: Boolean(c.resources.requests.memory), memLimit: Boolean(c.resources.limits.memory) }).toEqual({ owner, cpu: true, memReq: true, memLimit: true });
        const tmp = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp');
        expect({ owner, tmp: spec.volumes.find((v: { name: string }) => v.name === tmp?.name)?.emptyDir !== undefined }).toEqual({ owner, tmp: true });
      }
    }
  });

  it('secrets are referenced, never inlined: DATABASE_URL and METRICS_TOKEN come from Secrets the chart does not write', () => {
    expect(byKind(docs, 'Secret')).toEqual([]);
    expect(byKind(docs, 'ConfigMap').filter((c) => /postgres(ql)?:\/\//.test(JSON.stringify(c)))).toEqual([]);
    expect(text).not.toMatch(/postgres(ql)?:\/\//);
    const cnpg = (values.database?.mode ?? 'external') === 'cnpg';
    const cluster = byKind(docs, 'Cluster');
    expect(cluster.length).toBe(cnpg ? 1 : 0);
    for (const { owner, pod } of podSpecs(docs)) {
      for (const c of pod.spec.containers) {
        const env = envOf(c);
        for (const name of ['DATABASE_URL', 'METRICS_TOKEN']) {
          if (!env[name]) continue;
          expect({ owner, name, value: env[name].value, ref: Boolean(env[name].valueFrom?.secretKeyRef) }).toEqual({ owner, name, value: undefined, ref: true });
        }
        const ref = env.DATABASE_URL.valueFrom!.secretKeyRef!;
        // CNPG: the operator's "<cluster>-app" Secret, key uri; otherwise the Secret named in values.
        if (cnpg) expect(ref).toEqual({ name: `${cluster[0].metadata.name}-app`, key: 'uri' });
        else expect(ref).toEqual({ name: values.database?.external?.existingSecret ?? defaults.database.external.existingSecret, key: values.database?.external?.secretKey ?? 'DATABASE_URL' });
      }
    }
  });

  it('sets only environment variables the code reads', () => {
    // The sources that read configuration: config/*.ts and the process entry points in runtime/.
    const sources = ['config', 'runtime']
      .flatMap((dir) => fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => path.join(root, dir, f)))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    // The task-queue variables follow the cross-team convention of issue 21 (TIDINGS_WORKER_QUEUES,
    // TIDINGS_<QUEUE>_MAX_CONCURRENT_ACTIVITIES / _WORKFLOW_TASKS); config builds the per-queue names from the queue kind.
    const QUEUE_CONVENTION = /^TIDINGS_(WORKER_QUEUES|(INGEST|SCORING|ALERTS|BATCH)_MAX_CONCURRENT_(ACTIVITIES|WORKFLOW_TASKS))$/;
    const names = new Set(podSpecs(docs).flatMap(({ pod }) => pod.spec.containers.flatMap((c: { env: EnvVar[] }) => c.env.map((e) => e.name))));
    expect(names.size).toBeGreaterThan(10);
    for (const name of names) {
      if (QUEUE_CONVENTION.test(name)) continue;
      expect(`${name} ${new RegExp(`['.]${name}\\b`).test(sources) ? 'is read' : 'is read by nothing'}`).toBe(`${name} is read`);
    }
  });

  it('migrations run as a Job in the chosen mode, and pods skip their own only when the Job runs first', () => {
    const mode: string = values.migrations?.mode ?? 'helm';
    const cnpg = (values.database?.mode ?? 'external') === 'cnpg';
    const jobs = byKind(docs, 'Job');
    expect(jobs.length).toBe(1);
    const job = jobs[0];
    expect(job.spec.template.spec.containers[0].command).toEqual(['node', 'dist/runtime/migrate-main.js']);
    const annotations = job.metadata.annotations ?? {};
    if (mode === 'helm') expect(annotations['helm.sh/hook']).toBe(cnpg ? 'post-install,pre-upgrade' : 'pre-install,pre-upgrade');
    if (mode === 'argocd') expect(annotations['argocd.argoproj.io/hook']).toBe(cnpg ? 'PostSync' : 'PreSync');
    if (mode === 'plain') {
      expect(Object.keys(annotations).filter((k) => k.includes('hook'))).toEqual([]);
      expect(job.metadata.name).toMatch(/-migrate-\d+$/);
    }
    const runsFirst = mode !== 'plain' && !cnpg;
    for (const d of byKind(docs, 'Deployment')) expect({ d: d.metadata.name, skip: envOf(d.spec.template.spec.containers[0]).TIDINGS_SKIP_MIGRATIONS?.value }).toEqual({ d: d.metadata.name, skip: runsFirst ? '1' : undefined });
  });

  it('NetworkPolicies select the pods they mean and open only their ports; the ServiceMonitor finds both metrics ports', () => {
    const policies = byKind(docs, 'NetworkPolicy');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['tidings-api', 'tidings-migrate', 'tidings-worker']);
    const pods = podSpecs(docs);
    for (const p of policies) {
      const selected = pods.filter(({ pod }) => matches(p.spec.podSelector.matchLabels, pod.metadata.labels));
      expect({ policy: p.metadata.name, selects: selected.length > 0 }).toEqual({ policy: p.metadata.name, selects: true });
      expect(p.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      const openPorts = (p.spec.ingress ?? []).flatMap((r: { ports: Array<{ port: number }> }) => r.ports.map((x) => x.port));
      const containerPorts = selected.flatMap(({ pod }) => pod.spec.containers.flatMap((c: { ports?: Array<{ containerPort: number }> }) => (c.ports ?? []).map((x) => x.containerPort)));
      for (const port of openPorts) expect(containerPorts).toContain(port);
      const egressPorts = p.spec.egress.flatMap((r: { ports: Array<{ port: number }> }) => r.ports.map((x) => x.port));
      expect(egressPorts).toEqual(expect.arrayContaining([53, 5432]));
    }
    const monitors = byKind(docs, 'ServiceMonitor');
    expect(monitors.length).toBe(values.metrics?.serviceMonitor?.enabled ? 1 : 0);
    for (const m of monitors) {
      const services = byKind(docs, 'Service').filter((s) => matches(m.spec.selector.matchLabels, s.metadata.labels ?? {}));
      const servicePorts = services.flatMap((s) => s.spec.ports.map((p: { name: string }) => p.name));
      expect(servicePorts).toEqual(expect.arrayContaining(m.spec.endpoints.map((e: { port: string }) => e.port)));
      for (const e of m.spec.endpoints) expect(e.authorization.credentials.name).toBe(values.metrics.tokenSecret.name);
    }
  });
});

describe('the offline schema validation itself', () => {
  it('rejects a broken core manifest and a broken CRD, so a pass above means something', async () => {
    const { docs } = await render('cnpg-keda-values.yaml');
    const api = structuredClone(one(docs, 'Deployment', 'tidings-api'));
    api.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    const scaled = structuredClone(one(docs, 'ScaledObject', 'tidings-worker-batch'));
    scaled.spec.triggers[0].metadata.targetQueueSize = 5;
    const cluster = structuredClone(byKind(docs, 'Cluster')[0]);
    cluster.spec.instances = 'three';
    const results = validateOffline([api, scaled, cluster]);
    expect(results.map((r) => [r.kind, r.errors])).toEqual([
      ['Deployment', expect.stringContaining('containerPort must be integer')],
      ['ScaledObject', expect.stringContaining('targetQueueSize must be string')],
      ['Cluster', expect.stringContaining('instances must be integer')],
    ]);
    // A misspelt field passes the schemas but not the known-fields check, in a core kind and in a CRD.
    const typo = structuredClone(one(docs, 'Deployment', 'tidings-api'));
    typo.spec.template.spec.containers[0].readinessprobe = typo.spec.template.spec.containers[0].readinessProbe;
    delete typo.spec.template.spec.containers[0].readinessProbe;
    const misplaced = structuredClone(one(docs, 'ScaledObject', 'tidings-worker-batch'));
    misplaced.spec.minReplicas = 0;
    expect(validateOffline([typo, misplaced]).map((r) => r.errors)).toEqual([null, null]);
    const problems = unknownFields(root, [typo, misplaced], ['kubernetes-models', '@kubernetes-models/keda']);
    expect(problems.map((p) => [p.kind, p.name])).toEqual([
      ['Deployment', 'tidings-api'],
      ['ScaledObject', 'tidings-worker-batch'],
    ]);
    expect(problems[0].message).toContain(`'"readinessprobe"' does not exist in type 'IContainer'`);
    expect(problems[1].message).toMatch(/'"minReplicas"' does not exist in type/);
  });
});

describe('values the chart refuses (values.schema.json and template checks)', () => {
  const refuse = async (sets: string[], message: RegExp) => {
    const out = await helmRun(['template', 'tidings', chartDir, '-f', path.join(chartDir, 'ci', 'minimal-values.yaml'), ...sets.flatMap((s) => ['--set', s])]);
    expect({ sets, code: out.code === 0 ? 0 : 1 }).toEqual({ sets, code: 1 });
    expect(out.stderr).toMatch(message);
  };

  it('an unknown queue, a queue no worker serves, a writable root filesystem, a secret as plain env', async () => {
    await refuse(['workers[0].queues={ingest,bogus}'], /bogus|enum|must be one of/i);
    await refuse(['workers[0].queues={ingest,scoring,alerts}'], /no worker serves the batch queue/);
    await refuse(['containerSecurityContext.readOnlyRootFilesystem=false'], /readOnlyRootFilesystem/);
    await refuse(['env.DATABASE_URL=postgres://u:p@h/db'], /DATABASE_URL|not/i);
    await refuse(['temporal.address=not an address'], /address/);
  });
});

describe('Temporal from the official chart (deploy/helm/tidings-with-temporal)', () => {
  it('the umbrella names the official chart as a dependency behind a condition, and the app chart renders without it', () => {
    const umbrella = parse(fs.readFileSync(path.join(umbrellaDir, 'Chart.yaml'), 'utf8')) as { dependencies: Array<{ name: string; repository: string; version: string; condition?: string }> };
    const temporal = umbrella.dependencies.find((d) => d.name === 'temporal')!;
    expect(temporal).toMatchObject({ repository: 'https://go.temporal.io/helm-charts', condition: 'temporal.enabled' });
    expect(temporal.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(umbrella.dependencies.find((d) => d.name === 'tidings')).toMatchObject({ repository: 'file://../tidings' });
    const appChart = parse(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as { dependencies?: unknown[]; version: string };
    expect(appChart.dependencies).toBeUndefined(); // so `helm template deploy/helm/tidings` needs no `helm dependency build`
    expect(umbrella.dependencies.find((d) => d.name === 'tidings')!.version).toBe(appChart.version);
    const umbrellaValues = parse(fs.readFileSync(path.join(umbrellaDir, 'values.yaml'), 'utf8')) as { tidings: { temporal: { bundled: boolean } } };
    expect(umbrellaValues.tidings.temporal.bundled).toBe(true);
  });

  it('bundled: the API, workers and KEDA triggers use the release\'s Temporal frontend Service', async () => {
    for (const [release, address] of [
      ['prod', 'prod-temporal-frontend:7233'],
      ['temporal-stack', 'temporal-stack-frontend:7233'],
    ]) {
      const { docs } = await render('cnpg-keda-values.yaml', ['--set', 'temporal.bundled=true'], release);
      const addresses = new Set<string>();
      for (const d of byKind(docs, 'Deployment')) addresses.add(envOf(d.spec.template.spec.containers[0]).TEMPORAL_ADDRESS.value!);
      for (const s of byKind(docs, 'ScaledObject')) for (const t of s.spec.triggers) addresses.add(t.metadata.endpoint);
      expect([...addresses]).toEqual([address]);
    }
  });
});
