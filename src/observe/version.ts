import { readFileSync } from 'node:fs';

export interface VersionInfo {
  name: string;
  version: string;
  node: string;
}

/** Name and version from package.json (two folders up, from src/ and dist/ alike) and the Node.js version. */
export function versionInfo(): VersionInfo {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version, node: process.version };
}
