/**
 * Plays the attacker on a copy of a stopped gateway's files: the store, the keys and the
 * anchor file are copied to a fresh folder, the append-only triggers dropped, and the
 * edit applied. `mimtrust audit verify` is then run on the copy through the built CLI.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLI } from './cli.js';

export const ANCHOR_FILE = 'audit-anchors.jsonl';
const copies: string[] = [];

export function verifyCli(dir: string): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [CLI, 'audit', 'verify', '--config', join(dir, 'mimtrust.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: e.stdout + e.stderr };
  }
}

export function tamperedCopy(pristine: string, edit: (db: Database.Database, dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'mimtrust-tamper-'));
  copies.push(dir);
  cpSync(join(pristine, 'keys'), join(dir, 'keys'), { recursive: true });
  copyFileSync(join(pristine, 'mimtrust.db'), join(dir, 'mimtrust.db'));
  if (existsSync(join(pristine, ANCHOR_FILE))) copyFileSync(join(pristine, ANCHOR_FILE), join(dir, ANCHOR_FILE));
  const cfg = JSON.parse(readFileSync(join(pristine, 'mimtrust.json'), 'utf8'));
  cfg.keysDir = join(dir, 'keys');
  cfg.store = { path: join(dir, 'mimtrust.db') };
  writeFileSync(join(dir, 'mimtrust.json'), JSON.stringify(cfg));
  const db = new Database(join(dir, 'mimtrust.db'));
  // Someone with write access to the file can drop the append-only triggers and turn off foreign keys first.
  db.pragma('foreign_keys = OFF');
  for (const t of ['audit_records_no_update', 'audit_records_no_delete', 'audit_checkpoints_no_update', 'audit_checkpoints_no_delete', 'audit_data_subjects_no_update', 'audit_data_subjects_no_delete']) {
    db.exec(`DROP TRIGGER IF EXISTS ${t}`);
  }
  try {
    edit(db, dir);
  } finally {
    db.close();
  }
  return dir;
}

/** Removes every copy made so far. */
export function removeCopies(): void {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
}
