/** Reads back the gateway's audit store after the run, read-only. */
import Database from 'better-sqlite3';

/** @returns {{ records: number, checkpoints: number }} */
export function countAuditRows(storePath) {
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    const records = db.prepare('SELECT count(*) AS n FROM audit_records').get().n;
    const checkpoints = db.prepare('SELECT count(*) AS n FROM audit_checkpoints').get().n;
    return { records, checkpoints };
  } finally {
    db.close();
  }
}
