/** Reads back the gateway's audit store after the run, read-only. */
import Database from 'better-sqlite3';

/** decisions: the records of decisions made before their effect (a read's while the broker answers). @returns {{ records: number, decisions: number, checkpoints: number }} */
export function countAuditRows(storePath) {
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    const records = db.prepare('SELECT count(*) AS n FROM audit_records').get().n;
    const decisions = db.prepare("SELECT count(*) AS n FROM audit_records WHERE reason = 'before_effect'").get().n;
    const checkpoints = db.prepare('SELECT count(*) AS n FROM audit_checkpoints').get().n;
    return { records, decisions, checkpoints };
  } finally {
    db.close();
  }
}
