/**
 * One request to each system before any load: it must answer 200 with the entity, or
 * the benchmark would measure error paths. HTTPS targets are checked against the
 * generated certificate here (autocannon itself does not verify certificates).
 */
import { Agent } from 'undici';

/**
 * @param {{ name: string, origin: string }[]} targets
 * @returns {Promise<{ name: string, status: number, body: string }[]>}
 */
export async function preflight(targets, { path, headers, ca }) {
  const agent = new Agent({ connect: { ca, servername: 'localhost' } });
  try {
    const answers = [];
    for (const { name, origin } of targets) {
      const res = await agent.request({ origin, path, method: 'GET', headers });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${name} answered ${res.statusCode} to the benchmark request: ${body.slice(0, 300)}`);
      answers.push({ name, status: res.statusCode, body });
    }
    return answers;
  } finally {
    await agent.close();
  }
}

/** Names of the answers whose body differs from the first one (the broker's). */
export function differingBodies(answers) {
  const [reference, ...rest] = answers;
  return rest.filter((a) => a.body !== reference?.body).map((a) => a.name);
}
