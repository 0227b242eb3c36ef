import { loadConfig } from '../config/index.js';
import { verifyAudit, loadOrCreateAuditKey } from '../audit/index.js';
import { openSqlite, SqliteAuditStore } from '../store/index.js';
import { existsSync } from 'node:fs';
import { parseOptions } from './options.js';

/** Exit 0 when the chain and every checkpoint hold; 1 naming the first bad record otherwise. */
export async function runAuditVerify(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { config: { type: 'string', short: 'c' } });
  const { config } = loadConfig(values.config);
  if (!existsSync(config.store.path)) {
    process.stderr.write(`mimtrust: no audit store at ${config.store.path}\n`);
    return 1;
  }
  const db = openSqlite(config.store.path, { readonly: true });
  try {
    const { publicKey } = loadOrCreateAuditKey(config.keysDir);
    const result = await verifyAudit(new SqliteAuditStore(db), publicKey);
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
