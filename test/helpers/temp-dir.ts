/**
 * Temporary folders for tests. Every folder made here is removed after the test file
 * that made it has finished (test/helpers/cleanup.ts, a vitest setup file), so a folder
 * may outlive the test that made it (a harness, a `beforeAll`) but not the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mimtrust-${prefix}-`));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
