import { describe, it, expect } from 'vitest';
import { buildConfig, ConfigError } from '../../src/config/index.js';
import { varyOnOrigin } from '../../src/app/cors.js';

const origins = (list: unknown[]) => buildConfig({ cors: { origins: list } }, { baseDir: '/x' }).cors.origins;

describe('cors.origins', () => {
  it('is off by default, without credentials', () => {
    expect(buildConfig({}, { baseDir: '/x' }).cors).toEqual({ origins: [], allowCredentials: false, maxAgeSec: 600 });
  });

  it('takes origins as browsers send them', () => {
    expect(origins(['https://dash.city.example', 'http://localhost:5173', 'https://[::1]:8443'])).toHaveLength(3);
  });

  it('refuses what no browser sends as an Origin: a wildcard, null, a path, upper case, a default port', () => {
    for (const bad of ['*', 'null', 'https://dash.example/', 'https://dash.example/app', 'https://Dash.example', 'dash.example', 'https://dash.example:443', 'http://dash.example:80', 'https://*.example']) {
      expect(() => origins([bad]), bad).toThrow(ConfigError);
    }
    expect(() => origins(['https://a.example', 'https://a.example'])).toThrow(ConfigError);
  });
});

describe('Vary', () => {
  it('adds Origin to what an answer already varies on, once', () => {
    expect(varyOnOrigin(undefined)).toBe('Origin');
    expect(varyOnOrigin('Accept')).toBe('Accept, Origin');
    expect(varyOnOrigin(['Accept', 'Accept-Encoding'])).toBe('Accept, Accept-Encoding, Origin');
    expect(varyOnOrigin('accept, origin')).toBe('accept, origin');
    expect(varyOnOrigin('*')).toBe('*');
  });
});
