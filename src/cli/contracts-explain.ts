import { existsSync } from 'node:fs';
import { loadConfig, namedIssuers } from '../config/index.js';
import { contextResolverFor } from '../context/index.js';
import { readContractDir, compileDocument, snapshotOf, ContractError, partyNames, resolveProviders, type CompiledContract } from '../contracts/index.js';
import { RoleChecker } from '../policy/index.js';
import { whoSeesWhat, type ExplainBody } from '../admin/index.js';
import { parseOptions, list } from './options.js';

type Json = Record<string, unknown>;

function ruleText(r: Json): string {
  if (r.hidden === true) return '(a rule not shown)';
  const text = `${String(r.contract)} #${String(r.index)} ${String(r.rule)}`;
  return typeof r.description === 'string' ? `${text} "${r.description}"` : text;
}

function attributesText(a: unknown): string {
  if (a === 'all') return 'all attributes';
  if (Array.isArray(a)) return a.length === 0 ? '-' : a.join(', ');
  return `all but ${(a as { allExcept: string[] }).allExcept.join(', ')}`;
}

function conditionText(c: Json): string {
  switch (c.kind) {
    case 'within': return `only within ${(c.areas as unknown[]).length} area(s) of ${(c.rules as Json[]).map(ruleText).join('; ')}`;
    case 'count': return `at most ${String(c.max)} requests per ${String(c.period)} (${String(c.scope)}), ${ruleText(c.rule as Json)}`;
    case 'entityIds': return `entities ${c.ids ? (c.ids as string[]).join(', ') : `matching ${String(c.pattern)}`} named by id: ${attributesText(c.attributes)}, ${ruleText(c.rule as Json)}`;
    default: return `each entity as far as the person it is about consented, ${ruleText(c.rule as Json)}`;
  }
}

/** The explanation as a table per type: one line per action, then its conditions and rules. */
export function explanationText(e: Json): string {
  const out: string[] = [`who sees what at ${String(e.at)} in tenant ${typeof e.tenant === 'string' ? e.tenant : '@default'}`];
  for (const row of e.types as Json[]) {
    out.push('', typeof row.type === 'string' ? `${String(row.name)}  <${row.type}>` : String(row.name));
    for (const [action, c] of Object.entries(row.actions as Record<string, Json>)) {
      const what = c.effect === 'permit' ? attributesText(c.attributes) + (c.wholeEntity === true ? ' (whole entity too)' : '') : String(c.reason);
      out.push(`  ${action.padEnd(13)}${String(c.effect).padEnd(8)}${what}`);
      for (const x of c.conditions as Json[]) out.push(`  ${''.padEnd(21)}if ${conditionText(x)}`);
      for (const d of c.duties as string[]) out.push(`  ${''.padEnd(21)}duty: ${d}`);
      for (const r of c.rules as Json[]) out.push(`  ${''.padEnd(21)}by ${ruleText(r)}`);
      for (const r of c.prohibitions as Json[]) out.push(`  ${''.padEnd(21)}prohibited by ${ruleText(r)}`);
      if (c.effect === 'deny') for (const r of c.notApplied as Json[]) out.push(`  ${''.padEnd(21)}not applied (${String(r.outcome)}): ${ruleText(r)}`);
    }
  }
  return out.join('\n');
}

/**
 * `mimtrust contracts explain --role R ...`: who sees what, for one described caller, from
 * the contract files and role policies of the configuration (contracts made through the
 * admin API live in the store: ask POST /admin/contracts/explain for those). Refuses to
 * explain while any contract file does not compile: the gateway would not be running
 * exactly these contracts.
 */
export async function runContractsExplain(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    config: { type: 'string', short: 'c' },
    role: { type: 'string', multiple: true },
    client: { type: 'string' },
    sub: { type: 'string' },
    org: { type: 'string' },
    purpose: { type: 'string' },
    issuer: { type: 'string' },
    recipient: { type: 'string' },
    tenant: { type: 'string' },
    at: { type: 'string' },
    context: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const { config } = loadConfig(values.config);
  if (!existsSync(config.contractsDir)) {
    process.stderr.write(`mimtrust: no such folder: ${config.contractsDir}\n`);
    return 1;
  }
  const resolver = await contextResolverFor(config.contexts);
  const parties = partyNames(namedIssuers(config));
  const providers = await resolveProviders(config.providers, resolver);
  const roles = await RoleChecker.fromFiles(config.policiesDir, { providers: new Set(providers.keys()) });
  const compiled: CompiledContract[] = [];
  let failed = 0;
  for (const file of readContractDir(config.contractsDir).files) {
    try {
      if ('error' in file) throw file.error;
      compiled.push(await compileDocument(file, resolver, parties));
    } catch (err) {
      if (!(err instanceof ContractError)) throw err;
      process.stderr.write(`invalid: ${err.message} [${err.code}]\n`);
      failed++;
    }
  }
  if (failed > 0) {
    process.stderr.write('mimtrust: not explained: fix the contracts above first (mimtrust contracts validate)\n');
    return 1;
  }
  const caller: ExplainBody['caller'] = { roles: (values.role ?? []).flatMap((r) => list(r)) };
  if (values.client !== undefined) caller.clientId = values.client;
  if (values.sub !== undefined) caller.sub = values.sub;
  if (values.org !== undefined) caller.organisation = values.org;
  if (values.purpose !== undefined) caller.purpose = values.purpose;
  if (values.issuer !== undefined) caller.issuer = values.issuer;
  if (values.recipient !== undefined) caller.recipient = values.recipient;
  const body: ExplainBody = { caller };
  if (values.tenant !== undefined) body.tenant = values.tenant;
  if (values.at !== undefined) body.at = values.at;
  if (values.context !== undefined) body.context = values.context;
  const snapshot = { roles, contracts: snapshotOf(compiled), counters: new Map<string, number>() };
  const e = await whoSeesWhat({ parties, resolver, providers, snapshot: () => snapshot }, null, body, Date.now());
  process.stdout.write((values.json ? JSON.stringify(e, null, 2) : explanationText(e)) + '\n');
  return 0;
}
