import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { MimtrustError, PROBLEMS, toProblem, type ProblemCode } from '../../src/errors/index.js';
import { problemDetailsSchema } from '../../src/openapi/index.js';

const require = createRequire(import.meta.url);
const Ajv2020 = (require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).default;

describe('the ProblemDetails schema of the API description', () => {
  const validate = new Ajv2020({ strict: true }).compile(problemDetailsSchema);

  it('holds every refusal mimtrust can answer with, each code with its own status and type', () => {
    for (const code of Object.keys(PROBLEMS) as ProblemCode[]) {
      const p = toProblem(new MimtrustError(code, 'Refused.'), { requestId: 'r', decisionId: 'd' });
      expect(validate(p) ? [] : validate.errors, code).toEqual([]);
    }
  });

  it('holds a refusal with the members a decision adds', () => {
    const e = new MimtrustError('FORBIDDEN', 'Refused.', { extensions: { reason: 'prohibited', attribute: 'a', rules: [{ contract: 'c', rule: 'r' }], unmet: [{ contract: 'c', rule: 'r', constraint: 'purpose' }] } });
    expect(validate(toProblem(e))).toBe(true);
  });

  it('refuses a document without its code or with a status no code has', () => {
    const p = toProblem(new MimtrustError('NOT_FOUND', 'Refused.'));
    expect(validate({ ...p, code: undefined })).toBe(false);
    expect(validate({ ...p, status: 418 })).toBe(false);
  });
});
