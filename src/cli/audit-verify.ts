import { loadConfig } from '../config/index.js';
import { verifyAudit, readAnchorFile, AUDIT_PUBLIC_KEY_FILE } from '../audit/index.js';
import { SqliteAuditStore } from '../store/index.js';
import { openStoreReadOnly } from './store-file.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonWebKey } from 'node:crypto';
import { noPositionals, parseOptions } from './options.js';

/**
 * Exit 0 when the chain, every checkpoint, the checkpoint cadence and the checkpoints
 * anchored outside the database (audit.anchorFile) hold; 1 naming what is wrong otherwise.
 * Only the public key is read (never created), so an auditor can verify with a copy of
 * the store and `audit-signing.pub.jwk.json`.
 */
export async function runAuditVerify(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { config: { type: 'string', short: 'c' } });
  noPositionals(positionals);
  const { config } = loadConfig(values.config);
  const db = openStoreReadOnly(config.store.path);
  if (db === undefined) return 1;
  try {
    const keyFile = join(config.keysDir, AUDIT_PUBLIC_KEY_FILE);
    if (!existsSync(keyFile)) {
      process.stderr.write(`mimtrust: no audit public key at ${keyFile}\n`);
      return 1;
    }
    let publicKey: JsonWebKey;
    try {
      publicKey = JSON.parse(readFileSync(keyFile, 'utf8')) as JsonWebKey;
    } catch {
      process.stderr.write(`mimtrust: ${keyFile} is not a JSON Web Key\n`);
      return 1;
    }
    const anchors = config.audit.anchorFile === null ? undefined : readAnchorFile(config.audit.anchorFile);
    const result = await verifyAudit(new SqliteAuditStore(db), publicKey, {
      checkpointEvery: config.audit.checkpointEvery,
      ...(anchors ? { anchors } : {}),
    });
    if (result.ok) {
      process.stdout.write(`audit log intact: ${result.records} records, ${result.checkpoints} signed checkpoints\n`);
      return 0;
    }
    process.stdout.write(`audit log BROKEN at record ${result.firstBad.seq}: ${result.firstBad.problem}: ${result.firstBad.detail} (${result.records} records verified before it)\n`);
    return 1;
  } finally {
    db.close();
  }
}
