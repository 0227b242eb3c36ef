/** The export of a person's consent records: who they are as a data subject, when, and every record with its events and status. */
import type { Citizen, Consents } from './consents.js';
import { recordJson } from './record.js';

export interface ConsentExport {
  dataSubject: ReturnType<Consents['dataSubject']>;
  /** ISO 8601. */
  exportedAt: string;
  records: Array<Record<string, unknown>>;
}

/** The same document wherever a person downloads it (the consent API, the wallet). */
export async function exportRecords(consents: Consents, who: Citizen, now: number): Promise<ConsentExport> {
  const records = await consents.ofCitizen(who, now);
  return { dataSubject: consents.dataSubject(who), exportedAt: new Date(now).toISOString(), records: records.map((c) => recordJson(c, now)) };
}

/** The file name a download of it is offered under. */
export const EXPORT_DISPOSITION = 'attachment; filename="consents.json"';
