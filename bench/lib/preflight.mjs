/**
 * One request to each system before any load: it must answer 200 with the entity, or
 * the benchmark would measure error paths. HTTPS targets are checked against the
 * generated certificate here (autocannon itself does not verify certificates). Then each
 * answer is held against the broker's own: a mode that hides attributes must show the
 * entity without exactly those, every other mode the entity unchanged, or the modes would
 * not measure what their names say.
 */
import { isDeepStrictEqual } from 'node:util';
import { Agent } from 'undici';

/**
 * @param {{ name: string, origin: string, headers?: Record<string,string> }[]} targets (a target's own headers replace the shared ones)
 * @returns {Promise<{ name: string, status: number, body: string }[]>}
 */
export async function preflight(targets, { path, headers, ca }) {
  const agent = new Agent({ connect: { ca, servername: 'localhost' } });
  try {
    const answers = [];
    for (const { name, origin, headers: own } of targets) {
      const res = await agent.request({ origin, path, method: 'GET', headers: own ?? headers });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${name} answered ${res.statusCode} to the benchmark request: ${body.slice(0, 300)}`);
      answers.push({ name, status: res.statusCode, body });
    }
    return answers;
  } finally {
    await agent.close();
  }
}

function parsed(name, body) {
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`${name} answered a body that is not JSON: ${body.slice(0, 120)}`);
  }
}

/**
 * What is wrong with each answer, measured against the broker's entity.
 * @param {string} reference the broker's body
 * @param {{ name: string, body: string, hides: readonly string[] }[]} answers
 * @returns {string[]} problems; empty when every mode shows what it should
 */
export function viewProblems(reference, answers) {
  const entity = parsed('the broker', reference);
  const problems = [];
  for (const { name, body, hides } of answers) {
    const shown = parsed(name, body);
    const expected = { ...entity };
    for (const attr of hides) {
      if (!(attr in entity)) problems.push(`${name}: the broker's entity has no "${attr}", so hiding it cuts nothing`);
      else if (attr in shown) problems.push(`${name}: "${attr}" should be hidden but is in the answer`);
      delete expected[attr];
    }
    if (!isDeepStrictEqual(shown, expected)) {
      const missing = Object.keys(expected).filter((k) => !(k in shown));
      const extra = Object.keys(shown).filter((k) => !(k in expected));
      const detail = missing.length || extra.length ? `missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]` : 'attribute values differ';
      problems.push(`${name}: the answer is not the broker's entity${hides.length ? ` without ${hides.join(', ')}` : ''} (${detail})`);
    }
  }
  return problems;
}

/** Names of the answers that show the whole entity but not byte for byte as the broker sent it. */
export function differingBodies(reference, answers) {
  return answers.filter((a) => a.hides.length === 0 && a.body !== reference).map((a) => a.name);
}
