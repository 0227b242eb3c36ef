import { describe, expect, it } from 'vitest';
import { CodedError, isCodedError, MimtrustError } from '../../src/errors/index.js';
import { ConfigError } from '../../src/config/index.js';
import { ContractError } from '../../src/contracts/errors.js';
import { RolePolicyError } from '../../src/policy/roles.js';
import { JwksFetchError } from '../../src/auth/token-errors.js';
import { JsonTooDeepError } from '../../src/lib/parse-json.js';

describe('errors raised on purpose', () => {
  it('share one base with a stable code, whatever folder raises them', () => {
    const raised: Array<[CodedError, string]> = [
      [new MimtrustError('FORBIDDEN', 'no'), 'FORBIDDEN'],
      [new ConfigError('listen.port', 'is invalid'), 'ERR_CONFIG_INVALID'],
      [new ContractError('ERR_CONTRACT_BAD_VALUE', { source: 'a.jsonld' }, 'x', 'is wrong'), 'ERR_CONTRACT_BAD_VALUE'],
      [new RolePolicyError('roles.csv', 3, 'unknown action'), 'ERR_ROLE_POLICY_INVALID'],
      [new JwksFetchError('unreachable'), 'ERR_JWKS_UNAVAILABLE'],
      [new JsonTooDeepError(64), 'ERR_JSON_TOO_DEEP'],
    ];
    for (const [err, code] of raised) {
      expect(isCodedError(err)).toBe(true);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(code);
    }
  });

  it('does not take a plain Error, or a Node error that happens to have a code, for one', () => {
    expect(isCodedError(new Error('x'))).toBe(false);
    expect(isCodedError(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }))).toBe(false);
  });
});
