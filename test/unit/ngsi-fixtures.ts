import { expect } from 'vitest';
import { MimtrustError, type ProblemCode } from '../../src/errors/index.js';
import { classify, type NgsiRequest, type RawRequest } from '../../src/ngsi/index.js';

export const BASE = '/ngsi-ld/v1';

export function req(method: string, url: string, extra: Partial<RawRequest> = {}): NgsiRequest {
  return classify({ method, url, headers: {}, ...extra }, { basePath: BASE });
}

/** Asserts that `fn` throws a MimtrustError with this code and reason. */
export function expectRefused(fn: () => unknown, code: ProblemCode, reason: string): MimtrustError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a refusal').toBeInstanceOf(MimtrustError);
  const e = caught as MimtrustError;
  expect({ code: e.code, reason: e.reason }).toEqual({ code, reason });
  return e;
}
