import { describe, expect, it } from 'vitest';
import { badRequestReason } from '../helpers/refusal.js';
import { contextLinkOf, contextSourceOf, parseLinkHeader } from '../../src/context/index.js';

const REL = 'rel="http://www.w3.org/ns/json-ld#context"';
const CTX = 'https://ctx.example/context.jsonld';
const link = (url: string, extra = ''): string => `<${url}>; ${REL}; type="application/ld+json"${extra}`;

const reasonOf = badRequestReason;

describe('parseLinkHeader', () => {
  it('reads targets and parameters, quoted or not, with commas and semicolons inside quotes', () => {
    const links = parseLinkHeader(`<https://a.example/x?a=1,2>; rel=next; title="a, b; c \\"q\\"", <https://b.example/>;REL="Prev"`);
    expect(links).toHaveLength(2);
    expect(links[0]!.target).toBe('https://a.example/x?a=1,2');
    expect(links[0]!.params.get('rel')).toBe('next');
    expect(links[0]!.params.get('title')).toBe('a, b; c "q"');
    expect(links[1]!.params.get('rel')).toBe('Prev');
  });

  it('keeps the first of repeated parameters', () => {
    expect(parseLinkHeader('<https://a.example/>; rel="a"; rel="b"')[0]!.params.get('rel')).toBe('a');
  });

  for (const bad of ['https://a.example/', '<https://a.example/', '<https://a.example/> rel=x', '<https://a.example/>; rel="open', '<https://a.example/>; =x', '<>; rel=a', '<https://a.example/ x>; rel=a']) {
    it(`refuses malformed ${JSON.stringify(bad)}`, () => {
      expect(reasonOf(() => parseLinkHeader(bad))).toBe('invalid_link_header');
    });
  }
});

describe('contextLinkOf', () => {
  it('finds the JSON-LD context link, and refuses any other link beside it', () => {
    expect(reasonOf(() => contextLinkOf(`<https://a.example/page2>; rel="next", ${link(CTX)}`))).toBe('link_not_context');
    expect(reasonOf(() => contextLinkOf([link(CTX), '<https://evil.example/ctx.jsonld>; rel="describedby"']))).toBe('link_not_context');
    expect(reasonOf(() => contextLinkOf('<https://evil.example/ctx.jsonld>'))).toBe('link_not_context');
    expect(contextLinkOf(link(CTX))).toBe(CTX);
    expect(contextLinkOf(`<${CTX}>; rel="alternate HTTP://WWW.W3.ORG/ns/json-ld#context"`)).toBe(CTX);
  });

  it('returns undefined without a Link header', () => {
    expect(contextLinkOf(undefined)).toBeUndefined();
    expect(contextLinkOf([])).toBeUndefined();
    expect(contextLinkOf('')).toBeUndefined();
  });

  it('refuses two context links, on one line or on two', () => {
    expect(reasonOf(() => contextLinkOf(`${link(CTX)}, ${link('https://ctx.example/other.jsonld')}`))).toBe('multiple_context_links');
    expect(reasonOf(() => contextLinkOf([link(CTX), link('https://ctx.example/other.jsonld')]))).toBe('multiple_context_links');
    expect(reasonOf(() => contextLinkOf([link(CTX), link(CTX)]))).toBe('multiple_context_links');
  });

  it('answers a repeated header the same way, refusals included', () => {
    for (let i = 0; i < 3; i++) {
      expect(contextLinkOf(link(CTX))).toBe(CTX);
      expect(reasonOf(() => contextLinkOf('<https://a.example/>; rel="next"'))).toBe('link_not_context');
      expect(reasonOf(() => contextLinkOf(`${link(CTX)}, ${link(CTX)}`))).toBe('multiple_context_links');
      expect(reasonOf(() => contextLinkOf('<broken'))).toBe('invalid_link_header');
    }
  });

  it('refuses a relative context target', () => {
    expect(reasonOf(() => contextLinkOf(link('/context.jsonld')))).toBe('invalid_link_header');
  });
});

describe('contextSourceOf (NGSI-LD Link / Content-Type rule)', () => {
  const body = { id: 'urn:ngsi-ld:X:1', type: 'X', '@context': CTX };

  it('uses the Link header for GET and application/json bodies', () => {
    expect(contextSourceOf({ link: link(CTX) }, undefined)).toEqual({ kind: 'link', url: CTX });
    expect(contextSourceOf({ link: link(CTX), 'content-type': 'application/json' }, { id: 'x', type: 'X' })).toEqual({ kind: 'link', url: CTX });
    expect(contextSourceOf({}, undefined)).toEqual({ kind: 'none' });
    expect(contextSourceOf({ 'content-type': 'application/json' }, { id: 'x' })).toEqual({ kind: 'none' });
  });

  it('uses the body @context for application/ld+json', () => {
    expect(contextSourceOf({ 'content-type': 'application/ld+json; charset=utf-8' }, body)).toEqual({ kind: 'body', context: CTX });
    expect(contextSourceOf({ 'content-type': 'Application/LD+JSON' }, [body, { ...body, id: 'urn:ngsi-ld:X:2' }])).toEqual({ kind: 'body', context: CTX });
  });

  it('refuses a context Link header with an application/ld+json body', () => {
    expect(reasonOf(() => contextSourceOf({ 'content-type': 'application/ld+json', link: link(CTX) }, body))).toBe('link_with_ld_json');
  });

  it('refuses an application/ld+json body without @context', () => {
    expect(reasonOf(() => contextSourceOf({ 'content-type': 'application/ld+json' }, { id: 'x', type: 'X' }))).toBe('missing_body_context');
    expect(reasonOf(() => contextSourceOf({ 'content-type': 'application/ld+json' }, [body, { id: 'y', type: 'X' }]))).toBe('missing_body_context');
    expect(reasonOf(() => contextSourceOf({ 'content-type': 'application/ld+json' }, []))).toBe('missing_body_context');
  });

  it('refuses batches whose elements carry different contexts', () => {
    expect(reasonOf(() => contextSourceOf({ 'content-type': 'application/ld+json' }, [body, { ...body, '@context': { temp: 'https://x.example/t' } }]))).toBe('mixed_body_contexts');
  });

  it('refuses an @context in an application/json body', () => {
    expect(reasonOf(() => contextSourceOf({ 'content-type': 'application/json' }, body))).toBe('context_in_json_body');
  });

  it('refuses malformed and duplicate Link headers whatever the content type', () => {
    expect(reasonOf(() => contextSourceOf({ link: 'not a link' }, undefined))).toBe('invalid_link_header');
    expect(reasonOf(() => contextSourceOf({ link: [link(CTX), link(CTX)] }, undefined))).toBe('multiple_context_links');
  });
});
