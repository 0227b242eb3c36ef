/**
 * The node options a cluster worker is forked with: the gateway's V8 settings are added
 * unless the operator already chose a value, on the command line or in NODE_OPTIONS
 * (which the worker inherits and the command line would override), in either spelling.
 */
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS, GATEWAY_RUNTIME_FLAGS, applyRuntimeFlags, gatewayExecArgv } from '../../src/app/node-flags.js';

describe('gatewayExecArgv', () => {
  it('adds the gateway flags to the primary\'s own options', () => {
    expect(gatewayExecArgv([], undefined)).toEqual([...GATEWAY_NODE_FLAGS]);
    expect(gatewayExecArgv(['--import', 'x.mjs'], '--enable-source-maps')).toEqual(['--import', 'x.mjs', ...GATEWAY_NODE_FLAGS]);
    expect(GATEWAY_NODE_FLAGS).toContain('--max-semi-space-size=8');
  });

  it('keeps a value the operator set on the command line, in either spelling', () => {
    expect(gatewayExecArgv(['--max-semi-space-size=16'], undefined)).toEqual(['--max-semi-space-size=16']);
    expect(gatewayExecArgv(['--max_semi_space_size=8'], '')).toEqual(['--max_semi_space_size=8']);
  });

  it('does not override a value set in NODE_OPTIONS', () => {
    expect(gatewayExecArgv([], '--max-old-space-size=512 --max-semi-space-size=16')).toEqual([]);
    expect(gatewayExecArgv(['--trace-gc'], ' --max_semi_space_size=2 ')).toEqual(['--trace-gc']);
  });

  it('does not take a flag\'s value, or another flag sharing its prefix, for the flag', () => {
    expect(gatewayExecArgv(['--max-semi-space-size-x=1', 'max-semi-space-size'], undefined)).toEqual(['--max-semi-space-size-x=1', 'max-semi-space-size', ...GATEWAY_NODE_FLAGS]);
  });
});

describe('applyRuntimeFlags', () => {
  const applied = (execArgv: string[], nodeOptions: string | undefined): string[] => {
    const set: string[] = [];
    const returned = applyRuntimeFlags(execArgv, nodeOptions, (f) => set.push(f));
    expect(returned).toEqual(set);
    return set;
  };

  it('sets the gateway\'s run-time V8 settings: pretenuring off, a full collection at half as much again as was live', () => {
    expect(GATEWAY_RUNTIME_FLAGS).toEqual(expect.arrayContaining(['--no-allocation-site-pretenuring', '--heap-growing-percent=50']));
    expect(applied([], undefined)).toEqual([...GATEWAY_RUNTIME_FLAGS]);
    expect(applied(['--max-semi-space-size=4'], '--enable-source-maps')).toEqual([...GATEWAY_RUNTIME_FLAGS]);
  });

  it('leaves a setting the operator set, either way, on the command line or in NODE_OPTIONS, in either spelling', () => {
    const growing = GATEWAY_RUNTIME_FLAGS.filter((f) => f.startsWith('--heap-growing-percent'));
    expect(applied(['--allocation-site-pretenuring'], undefined)).toEqual(growing);
    expect(applied(['--no-allocation-site-pretenuring'], undefined)).toEqual(growing);
    expect(applied([], ' --allocation_site_pretenuring ')).toEqual(growing);
    expect(applied(['--heap_growing_percent=0'], '--allocation-site-pretenuring')).toEqual([]);
  });

  it('does not take a flag sharing a prefix for the flag', () => {
    expect(applied(['--allocation-site-pretenuring-x', 'allocation-site-pretenuring', '--heap-growing-percent-y=1'], undefined)).toEqual([...GATEWAY_RUNTIME_FLAGS]);
  });
});
