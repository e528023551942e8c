// Validates Kubernetes manifests offline against the API's JSON schemas, as bundled (compiled
// to validators) by the npm packages kubernetes-models (the core API groups) and
// @kubernetes-models/{keda,cloudnative-pg,prometheus-operator} (those operators' CRDs).
// The packages are ESM-only, so jest tests run this file in a child process:
//   stdin:  a JSON array of manifests
//   stdout: a JSON array, one entry per manifest: { kind, name, package, errors } where package
//           is the one whose schema checked it (null: no package knows the kind) and errors is
//           null when valid, else the schema violations.
import { readFileSync } from 'node:fs';

const PACKAGES = ['kubernetes-models', '@kubernetes-models/keda', '@kubernetes-models/cloudnative-pg', '@kubernetes-models/prometheus-operator'];

async function modelFor(apiVersion, kind) {
  // kubernetes-models lays models out as <group>/<version>/<Kind>, the core group as <version>/<Kind>.
  const rel = `${apiVersion}/${kind}`;
  for (const pkg of PACKAGES) {
    try {
      const mod = await import(`${pkg}/${rel}`);
      if (mod[kind]) return { pkg, Model: mod[kind] };
    } catch (err) {
      if (err && (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED')) continue;
      throw err;
    }
  }
  return undefined;
}

const manifests = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const m of manifests) {
  const found = await modelFor(String(m.apiVersion), String(m.kind));
  const entry = { kind: m.kind, name: m.metadata && m.metadata.name, package: found ? found.pkg : null, errors: null };
  if (found) {
    try {
      new found.Model(m).validate();
    } catch (err) {
      entry.errors = String(err && err.message ? err.message : err);
    }
  }
  results.push(entry);
}
process.stdout.write(JSON.stringify(results));
