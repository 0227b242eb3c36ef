/**
 * The image's start path, checked without a Docker engine: what the Dockerfile and
 * docker-compose.yml say is read and held against each other and against the built
 * output (dist/, so `npm run build` first). It checks that the gateway runs as a user
 * other than root, that every folder it writes (volumes, keysDir, the store's folder) is
 * made and handed to that user in the image, that compose mounts land on those folders,
 * that the entrypoint and health check run files the build produces, and that compose
 * starts each service after the one it needs is healthy. It does not build the image or
 * run it: package installs, the native build of better-sqlite3 and the broker images
 * themselves are not exercised here.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO } from '../helpers/harness.js';
import { COMMANDS } from '../../src/cli/commands.js';

interface Instruction { op: string; args: string }

/** The instructions of the Dockerfile's last stage, continuation lines joined. */
function finalStage(): Instruction[] {
  const text = readFileSync(join(REPO, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const all = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => { const [op, ...rest] = l.split(/\s+/); return { op: op!.toUpperCase(), args: rest.join(' ') }; });
  const lastFrom = all.map((i) => i.op).lastIndexOf('FROM');
  return all.slice(lastFrom);
}

const stage = finalStage();
const one = (op: string): string => {
  const found = stage.filter((i) => i.op === op);
  expect(found, op).toHaveLength(1);
  return found[0]!.args;
};
const execForm = (args: string): string[] => JSON.parse(args.replace(/^CMD\s+/, '')) as string[];

const WORKDIR = one('WORKDIR');
const USER = one('USER');
const inImage = (p: string): string => posix.resolve(WORKDIR, p);
/** Folders the image makes (mkdir -p) and the ones it hands to USER (chown -R), before USER. */
const beforeUser = stage.slice(0, stage.findIndex((i) => i.op === 'USER'));
const runs = beforeUser.filter((i) => i.op === 'RUN').map((i) => i.args).join(' && ').split(/\s*&&\s*/);
const made = runs.filter((c) => c.startsWith('mkdir -p ')).flatMap((c) => c.slice('mkdir -p '.length).split(/\s+/)).map(inImage);
const owned = runs.filter((c) => c.startsWith(`chown -R ${USER}:`)).flatMap((c) => c.split(/\s+/).slice(3)).map(inImage);
/** Paths the image copies files to. */
const copied = stage.filter((i) => i.op === 'COPY').map((i) => inImage(i.args.split(/\s+/).at(-1)!));
const env = Object.fromEntries(stage.filter((i) => i.op === 'ENV').flatMap((i) => i.args.split(/\s+/).map((kv) => kv.split('=') as [string, string])));

const compose = parseYaml(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { restart?: string; healthcheck?: unknown; depends_on?: Record<string, { condition: string }>; volumes?: string[]; ports?: string[]; build?: string }>;
};

describe('Dockerfile', () => {
  it('runs as a user other than root', () => {
    expect(USER).not.toMatch(/^(root|0)(:|$)/);
  });

  it('makes every volume folder and hands it to that user', () => {
    const volumes = JSON.parse(one('VOLUME')) as string[];
    expect(volumes.length).toBeGreaterThan(0);
    for (const v of volumes) {
      expect(made, v).toContain(v);
      expect(owned, v).toContain(v);
    }
  });

  it('starts a command the build produces, and checks health with a command the CLI has', () => {
    const entry = execForm(one('ENTRYPOINT'));
    expect(entry[0]).toBe('node');
    // The build stage's /app/dist is copied to WORKDIR/dist: the entrypoint is in it.
    expect(stage.some((i) => i.op === 'COPY' && /--from=build \/app\/dist \.\/dist$/.test(i.args))).toBe(true);
    expect(existsSync(join(REPO, entry[1]!)), entry[1]).toBe(true);
    expect(execForm(one('CMD'))).toEqual(['start']);
    const health = execForm(one('HEALTHCHECK').replace(/^(--\S+\s+)+/, ''));
    expect(health.slice(0, 2)).toEqual(entry);
    expect(COMMANDS.some((c) => c.words.join(' ') === health.slice(2).join(' '))).toBe(true);
  });

  it('reads a configuration it carries, whose writable folders are made and owned and whose port it exposes', () => {
    const file = env.MIMTRUST_CONFIG!;
    expect(copied).toContain(file);
    const config = parseYaml(readFileSync(join(REPO, 'docker', 'mimtrust.yaml'), 'utf8')) as { listen: { port: number }; keysDir: string; store: { path: string }; contractsDir: string; policiesDir: string };
    expect(stage.some((i) => i.op === 'COPY' && i.args === `docker/mimtrust.yaml ./${posix.relative(WORKDIR, file)}`)).toBe(true);
    const base = posix.dirname(file);
    for (const writable of [config.keysDir, posix.dirname(config.store.path)]) {
      expect(owned, writable).toContain(posix.resolve(base, writable));
    }
    for (const readable of [config.contractsDir, config.policiesDir]) {
      const p = posix.resolve(base, readable);
      expect([...made, ...copied], readable).toContain(p);
    }
    expect(one('EXPOSE')).toBe(String(config.listen.port));
  });
});

describe('docker-compose.yml', () => {
  const services = compose.services;
  const gateways = Object.entries(services).filter(([, s]) => s.build === '.');

  it('mounts writable volumes only on folders the image owns, and read-only files where the image has them', () => {
    expect(gateways.length).toBeGreaterThan(0);
    for (const [, gateway] of gateways) {
      for (const v of gateway.volumes ?? []) {
        const [source, target, mode] = v.split(':') as [string, string, string | undefined];
        if (source.startsWith('./')) expect(existsSync(join(REPO, source)), source).toBe(true);
        if (mode === 'ro') expect(copied, target).toContain(target);
        else expect(owned, target).toContain(target);
      }
    }
  });

  it('publishes the port the image exposes, on a host port of its own for each gateway', () => {
    const hostPorts = gateways.map(([, g]) => {
      expect(g.ports?.map((p) => p.split(':').at(-1))).toContain(one('EXPOSE'));
      return g.ports?.map((p) => p.split(':')[0]).join();
    });
    expect(new Set(hostPorts).size).toBe(gateways.length);
  });

  it('several gateways share one PostgreSQL store, each as an instance of its own, and the keys the first makes', () => {
    const environment = (name: string) => (compose.services[name] as { environment?: Record<string, string> }).environment ?? {};
    expect(gateways.length).toBeGreaterThanOrEqual(2);
    const urls = new Set(gateways.map(([name]) => environment(name).MIMTRUST_STORE_URL));
    expect(urls.size).toBe(1);
    expect([...urls][0]).toMatch(/^postgres:\/\//);
    expect(new Set(gateways.map(([name]) => environment(name).MIMTRUST_STORE_INSTANCE)).size).toBe(gateways.length);
    const keys = gateways.map(([, g]) => g.volumes?.find((v) => v.endsWith(':/app/config/keys')));
    expect(new Set(keys).size).toBe(1);
    // Only one of them may make the keys: the others start once it is healthy.
    const first = gateways.filter(([, g]) => !Object.keys(g.depends_on ?? {}).some((d) => gateways.some(([n]) => n === d)));
    expect(first).toHaveLength(1);
  });

  it('restarts every service and starts each after what it depends on is healthy', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.restart, name).toMatch(/^(always|unless-stopped|on-failure)/);
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(condition, `${name} -> ${dep}`).toBe('service_healthy');
        // The image's own HEALTHCHECK counts for a service built here.
        expect(services[dep]!.healthcheck ?? (services[dep]!.build === '.' ? 'image' : undefined), dep).toBeDefined();
      }
    }
    for (const [name, gateway] of gateways) expect(Object.keys(gateway.depends_on ?? {}).length, name).toBeGreaterThan(0);
  });
});
