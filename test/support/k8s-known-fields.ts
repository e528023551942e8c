/**
 * Unknown fields in Kubernetes manifests (a typo such as `readinessprobe`, a field under the
 * wrong parent), which the bundled JSON-schema validators accept because the API's schemas do
 * not forbid additional properties. The same packages (kubernetes-models, @kubernetes-models/*)
 * ship a TypeScript interface per kind, generated from those schemas; each manifest becomes an
 * object literal typed with its kind's interface, and TypeScript's excess-property check
 * reports every field the interface does not declare, at any depth (the kubeconform --strict
 * of this setup). Maps (labels, annotations, KEDA trigger metadata) are index signatures there,
 * so their keys stay free.
 */
import path from 'node:path';
import ts from 'typescript';

export interface KnownFieldsProblem {
  kind: string;
  name: string;
  message: string;
}

/** `manifests[i]` is validated with the interface `I<kind>` of `${packages[i]}/${apiVersion}/${kind}`. */
export function unknownFields(root: string, manifests: Array<{ apiVersion: string; kind: string; metadata: { name: string } }>, packages: string[]): KnownFieldsProblem[] {
  const file = path.join(root, 'test', 'support', '__k8s_known_fields__.ts');
  // One line per import, then one line per manifest: a diagnostic's line names its manifest.
  const lines = [
    ...manifests.map((m, i) => `import type { I${m.kind} as T${i} } from '${packages[i]}/${m.apiVersion}/${m.kind}';`),
    ...manifests.map((m, i) => `export const m${i}: T${i} = ${JSON.stringify(m)};`),
  ];
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (path.resolve(f) === file ? source : readFile(f));
  host.fileExists = ((exists) => (f: string) => path.resolve(f) === file || exists(f))(host.fileExists.bind(host));
  host.getSourceFile = (f, lang, onError, create) => (path.resolve(f) === file ? ts.createSourceFile(f, source, lang, true) : getSourceFile(f, lang, onError, create));
  const program = ts.createProgram([file], options, host);
  const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()].filter((d) => d.file && path.resolve(d.file.fileName) === file);
  return diagnostics.map((d) => {
    // The manifest whose declaration holds the error (an import that does not resolve: its line's manifest).
    const line = d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line;
    const index = line < manifests.length ? line : line - manifests.length;
    return { kind: manifests[index].kind, name: manifests[index].metadata.name, message: ts.flattenDiagnosticMessageText(d.messageText, ' ') };
  });
}
