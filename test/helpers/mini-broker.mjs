// An in-memory NGSI-LD context broker for tests and benchmarks: entities per tenant, with
// one type or several, query with type expressions (`A,B`, `A|B`, `(A;B)`), id, idPattern,
// attrs (matching only entities holding one of them, as NGSI-LD brokers do), q terms of
// the form `attr=="a","b"` joined by `;`, top-level
// pick and omit, count, limit and offset (Results-Count and Link paging headers as Orion-LD sends
// them), batch operations, discovery with details and counts, subscriptions and a simple
// temporal view. It records every request it receives exactly as it arrived, so tests can
// check that the gateway forwarded precisely what it checked. Subscriptions are kept per
// tenant and notified for real: a change to a matching entity is POSTed to the
// subscription's endpoint (over HTTPS when the broker is told which CA to trust), and the
// broker answers the change only once its notifications have been answered, so tests need
// not wait.
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const BASE = '/ngsi-ld/v1';
const CORE = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
const CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';

function problem(res, status, type, detail, tenant) {
  const body = JSON.stringify({ type: `https://uri.etsi.org/ngsi-ld/errors/${type}`, title: type, status, detail });
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  if (tenant !== undefined) headers['ngsild-tenant'] = tenant;
  res.writeHead(status, headers).end(body);
}

function contextLink(req) {
  const link = req.headers.link;
  const m = typeof link === 'string' ? /<([^>]+)>/.exec(link) : null;
  return `<${m ? m[1] : CORE}>; rel="${CONTEXT_REL}"; type="application/ld+json"`;
}

function send(res, req, status, payload, extra = {}) {
  const tenant = req.headers['ngsild-tenant'];
  const headers = { ...extra };
  if (tenant !== undefined) headers['ngsild-tenant'] = tenant;
  if (payload === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const body = JSON.stringify(payload);
  headers['content-type'] = 'application/json';
  headers['content-length'] = Buffer.byteLength(body);
  const links = [contextLink(req)];
  if (extra.link) links.push(extra.link);
  headers.link = links.join(', ');
  res.writeHead(status, headers).end(body);
}

function typesOf(entity) {
  return Array.isArray(entity.type) ? entity.type : [entity.type];
}

/** Writes a fragment into an entity: its attributes replace the entity's, its types are added. */
function mergeInto(entity, fragment) {
  const { '@context': _c, id: _id, type, ...attrs } = fragment ?? {};
  if (type !== undefined) {
    const types = [...new Set([...typesOf(entity), ...(Array.isArray(type) ? type : [type])])];
    entity.type = types.length === 1 ? types[0] : types;
  }
  Object.assign(entity, attrs);
}

/**
 * A matcher for an NGSI-LD type expression: `,` and `|` are "or", `;` is "and" and binds
 * tighter, parentheses group. Undefined when the query names no type.
 */
function typeMatcher(expr) {
  if (expr === null || expr === undefined) return undefined;
  const tokens = expr.match(/[(),|;]|[^(),|;]+/g) ?? [];
  let i = 0;
  const factor = () => {
    if (tokens[i] === '(') {
      i++;
      const inner = or();
      i++;
      return inner;
    }
    const name = tokens[i++];
    return (types) => types.includes(name);
  };
  const and = () => {
    const parts = [factor()];
    while (tokens[i] === ';') {
      i++;
      parts.push(factor());
    }
    return (types) => parts.every((p) => p(types));
  };
  const or = () => {
    const parts = [and()];
    while (tokens[i] === ',' || tokens[i] === '|') {
      i++;
      parts.push(and());
    }
    return (types) => parts.some((p) => p(types));
  };
  const match = or();
  return (entity) => match(typesOf(entity));
}

/** As NGSI-LD brokers match: with an `attrs` list, only entities holding one of its attributes. */
function holdsOneOf(entity, attrs) {
  return !attrs || attrs.length === 0 || attrs.some((a) => Object.hasOwn(entity, a));
}

/** The value an attribute compares by in `q`: a Relationship's object, a Property's value. */
function comparedValue(attr) {
  if (attr === null || typeof attr !== 'object' || Array.isArray(attr)) return attr;
  return attr.type === 'Relationship' ? attr.object : attr.value;
}

/**
 * A matcher for the part of the q language the gateway writes itself: terms `attr=="a","b"`
 * joined by `;` (and), a term in parentheses standing for itself. Any other term selects
 * every entity, as the broker did before it read q at all.
 */
function qMatcher(expr) {
  if (expr === null || expr === undefined) return undefined;
  const terms = expr.split(';').map((t) => t.replace(/^\((.*)\)$/, '$1'));
  const tests = terms.map((t) => {
    const m = /^([^=!<>~]+)==((?:"[^"]*")(?:,"[^"]*")*)$/.exec(t);
    if (!m) return () => true;
    const values = m[2].split(',').map((v) => v.slice(1, -1));
    return (e) => values.includes(comparedValue(e[m[1]]));
  });
  return (e) => tests.every((test) => test(e));
}

/** The entities a query selects by `type`, `id`, `idPattern`, `attrs` and `q`. */
function selected(entities, q) {
  const byType = typeMatcher(q.get('type'));
  const ids = q.get('id')?.split(',');
  const pattern = q.get('idPattern') ? new RegExp(q.get('idPattern')) : undefined;
  const attrs = q.get('attrs')?.split(',');
  const byQ = qMatcher(q.get('q'));
  return [...entities.values()].filter((e) => (!byType || byType(e)) && (!ids || ids.includes(e.id)) && (!pattern || pattern.test(e.id)) && holdsOneOf(e, attrs) && (!byQ || byQ(e)));
}

const ATTR_VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';

/** Attribute names of the entities, each with the types of the entities having it and its count. */
function attributesOf(entities) {
  const byName = new Map();
  for (const e of entities) {
    for (const k of Object.keys(e)) {
      if (k === 'id' || k === 'type') continue;
      const a = byName.get(k) ?? { types: new Set(), count: 0 };
      for (const t of typesOf(e)) a.types.add(t);
      a.count++;
      byName.set(k, a);
    }
  }
  return byName;
}

function attributeItem(name, a) {
  return { id: `${ATTR_VOCAB}${name}`, type: 'Attribute', attributeName: name, attributeCount: a.count, attributeTypes: ['Property'], typeNames: [...a.types] };
}

function simplified(v) {
  return v && typeof v === 'object' && 'value' in v ? v.value : v && typeof v === 'object' && 'object' in v ? v.object : v;
}

function concise(v) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const { type: _t, ...rest } = v;
  return rest;
}

/** The entity in the representation asked for: normalized, keyValues or concise. */
function project(entity, attrs, form = 'normalized') {
  const out = { id: entity.id, type: entity.type };
  for (const [k, v] of Object.entries(entity)) {
    if (k === 'id' || k === 'type') continue;
    if (attrs && !attrs.includes(k)) continue;
    out[k] = form === 'keyValues' ? simplified(v) : form === 'concise' ? concise(v) : v;
  }
  return out;
}

/** The top-level names of a `pick` or `omit` projection (sub-attribute groups not read). */
function projectionNames(value) {
  return value ? value.split(/[,|]/).map((n) => n.trim()).filter((n) => n !== '' && !n.includes('{') && !n.includes('}')) : undefined;
}

/** `pick` keeps only the members it names (`id` and `type` too); `omit` removes those it names. */
function pickOmit(entity, q) {
  const pick = projectionNames(q.get('pick'));
  const omit = projectionNames(q.get('omit'));
  if (!pick && !omit) return entity;
  return Object.fromEntries(Object.entries(entity).filter(([k]) => (!pick || pick.includes(k)) && (!omit || !omit.includes(k))));
}

/** A GeoJSON Feature, its geometry taken from `geometryProperty` (default location). */
function feature(entity, attrs, geometryProperty = 'location') {
  const { id, ...properties } = project(entity, attrs);
  const geo = entity[geometryProperty];
  return { id, type: 'Feature', geometry: geo && typeof geo === 'object' ? (geo.value ?? null) : null, properties };
}

const HISTORY = ['2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z'];

/** The entity's history: each attribute as it is now, once at each of the times (observedAt). */
function temporal(entity, times = HISTORY) {
  const out = { id: entity.id, type: entity.type };
  for (const [k, v] of Object.entries(entity)) {
    if (k !== 'id' && k !== 'type') out[k] = times.map((observedAt) => ({ ...v, observedAt }));
  }
  return out;
}

/** Does a subscription watch this entity (types, ids, watched attributes among the changed ones)? */
function watches(sub, entity, changed) {
  const selectors = Array.isArray(sub.entities) ? sub.entities : [];
  const types = typesOf(entity);
  const selected = selectors.length === 0 || selectors.some((s) => (!s.type || types.includes(s.type)) && (!s.id || s.id === entity.id));
  if (!selected) return false;
  const watched = Array.isArray(sub.watchedAttributes) ? sub.watchedAttributes : undefined;
  return !watched || changed.some((a) => watched.includes(a));
}

/** POST one notification to an endpoint; resolves with the status (0 when unreachable). */
function post(uri, payload, headers, ca) {
  return new Promise((resolve) => {
    const url = new URL(uri);
    const body = JSON.stringify(payload);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      ...(url.protocol === 'https:' && ca ? { ca } : {}),
      timeout: 5000,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendGeo(res, req, payload, extra = {}) {
  const tenant = req.headers['ngsild-tenant'];
  const body = JSON.stringify(payload);
  const headers = { ...extra, 'content-type': 'application/geo+json', 'content-length': Buffer.byteLength(body) };
  if (tenant !== undefined) headers['ngsild-tenant'] = tenant;
  const links = [contextLink(req)];
  if (extra.link) links.push(extra.link);
  headers.link = links.join(', ');
  res.writeHead(200, headers).end(body);
}

/**
 * Start the broker on 127.0.0.1. Options: `port` (default ephemeral), `record` (keep the
 * requests received; default true), `delayMs` (answer late, to test timeouts).
 */
export async function startMiniBroker(options = {}) {
  const tenants = new Map();
  const subscriptionsByTenant = new Map();
  const requests = [];
  const notifications = [];
  const state = { delayMs: options.delayMs ?? 0, record: options.record ?? true, fault: undefined, ca: undefined, nextSubscription: 1, nextNotification: 1, history: HISTORY };
  const store = (tenant) => {
    const key = tenant ?? '';
    let t = tenants.get(key);
    if (!t) tenants.set(key, (t = new Map()));
    return t;
  };
  const subscriptionsOf = (tenant) => {
    const key = tenant ?? '';
    let t = subscriptionsByTenant.get(key);
    if (!t) subscriptionsByTenant.set(key, (t = new Map()));
    return t;
  };
  /** Send `data` as a notification of subscription `sub`, as a broker does; records the outcome. */
  const sendNotification = async (sub, data) => {
    const endpoint = sub.notification?.endpoint ?? {};
    const headers = {};
    for (const kv of endpoint.receiverInfo ?? []) headers[kv.key] = kv.value;
    const payload = { id: `urn:ngsi-ld:Notification:${state.nextNotification++}`, type: 'Notification', subscriptionId: sub.id, notifiedAt: new Date().toISOString(), data };
    const status = await post(endpoint.uri, payload, headers, state.ca);
    notifications.push({ subscriptionId: sub.id, uri: endpoint.uri, payload, status });
    return status;
  };
  /** Notify every subscription that watches this change of `entity` (attributes `changed`). */
  const notifyChange = async (tenant, entity, changed) => {
    for (const sub of subscriptionsOf(tenant).values()) {
      if (sub.isActive === false || !watches(sub, entity, changed)) continue;
      const attrs = sub.notification?.attributes;
      const form = sub.notification?.format === 'keyValues' ? 'keyValues' : sub.notification?.format === 'concise' ? 'concise' : 'normalized';
      await sendNotification(sub, [project(entity, Array.isArray(attrs) && attrs.length ? attrs : undefined, form)]);
    }
  };

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (state.record) requests.push({ method: req.method, url: req.url, headers: { ...req.headers }, body: raw });
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
    const fault = state.fault?.(req);
    if (fault) return res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers }).end(fault.body ?? '');
    const tenant = req.headers['ngsild-tenant'];
    let body;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return problem(res, 400, 'InvalidRequest', 'invalid JSON', tenant);
    }
    const url = new URL(req.url, 'http://broker');
    if (!url.pathname.startsWith(BASE + '/')) return problem(res, 404, 'ResourceNotFound', 'unknown path', tenant);
    const segs = url.pathname.slice(BASE.length + 1).split('/').map(decodeURIComponent);
    // Like a broker that follows the ETSI resource URIs: one trailing slash names the same resource.
    if (segs.length > 1 && segs[segs.length - 1] === '') segs.pop();
    const q = url.searchParams;
    const entities = store(tenant);
    const opts = (q.get('options') ?? '').split(',');
    const form = opts.includes('keyValues') || opts.includes('simplified') ? 'keyValues' : opts.includes('concise') ? 'concise' : 'normalized';
    const geojson = q.get('format') === 'geojson' || String(req.headers.accept ?? '').includes('application/geo+json');
    const geometryProperty = q.get('geometryProperty') ?? 'location';
    const m = req.method;

    if (segs[0] === 'entities' && segs.length === 1) {
      if (m === 'POST') {
        if (!body || typeof body.id !== 'string') return problem(res, 400, 'BadRequestData', 'entity needs an id', tenant);
        if (entities.has(body.id)) return problem(res, 409, 'AlreadyExists', 'entity exists', tenant);
        const { '@context': _c, ...entity } = body;
        entities.set(entity.id, entity);
        await notifyChange(tenant, entity, Object.keys(entity).filter((k) => k !== 'id' && k !== 'type'));
        return send(res, req, 201, undefined, { location: `${BASE}/entities/${encodeURIComponent(entity.id)}` });
      }
      if (m === 'GET') {
        const attrs = q.get('attrs')?.split(',');
        let all = selected(entities, q);
        const total = all.length;
        const limit = Number(q.get('limit') ?? 20);
        const offset = Number(q.get('offset') ?? 0);
        all = all.slice(offset, offset + limit);
        const extra = {};
        if (q.get('count') === 'true') extra['ngsild-results-count'] = String(total);
        if (offset + limit < total) {
          const next = new URLSearchParams(q);
          next.set('offset', String(offset + limit));
          extra.link = `<${BASE}/entities?${next}>; rel="next"; type="application/ld+json"`;
        }
        if (geojson) return sendGeo(res, req, { type: 'FeatureCollection', features: all.map((e) => feature(e, attrs, geometryProperty)) }, extra);
        return send(res, req, 200, all.map((e) => pickOmit(project(e, attrs, form), q)), extra);
      }
    }
    if (segs[0] === 'entities' && segs.length >= 2) {
      const id = segs[1];
      const entity = entities.get(id);
      if (!entity) return problem(res, 404, 'ResourceNotFound', 'no such entity', tenant);
      if (segs.length === 2 && m === 'GET') {
        if (!holdsOneOf(entity, q.get('attrs')?.split(','))) return problem(res, 404, 'ResourceNotFound', 'no such entity with these attributes', tenant);
        if (geojson) return sendGeo(res, req, feature(entity, q.get('attrs')?.split(','), geometryProperty));
        return send(res, req, 200, pickOmit(project(entity, q.get('attrs')?.split(','), form), q));
      }
      if (segs.length === 2 && m === 'DELETE') {
        entities.delete(id);
        return send(res, req, 204);
      }
      if (segs.length === 2 && m === 'PUT') {
        const { '@context': _c, ...replacement } = body ?? {};
        entities.set(id, { ...replacement, id });
        return send(res, req, 204);
      }
      if (segs.length === 2 && m === 'PATCH') {
        mergeInto(entity, body);
        return send(res, req, 204);
      }
      if (segs[2] === 'attrs' && (m === 'PATCH' || m === 'POST') && segs.length === 3) {
        mergeInto(entity, body);
        await notifyChange(tenant, entity, Object.keys(body ?? {}).filter((k) => k !== '@context'));
        return send(res, req, 204);
      }
      if (segs[2] === 'attrs' && segs.length === 4 && (m === 'PATCH' || m === 'PUT')) {
        if (m === 'PATCH' && !(segs[3] in entity)) return problem(res, 404, 'ResourceNotFound', 'no such attribute', tenant);
        const { '@context': _c, ...attribute } = body ?? {};
        entity[segs[3]] = m === 'PATCH' ? { ...entity[segs[3]], ...attribute } : attribute;
        return send(res, req, 204);
      }
      if (segs[2] === 'attrs' && segs.length === 4 && m === 'DELETE') {
        if (!(segs[3] in entity)) return problem(res, 404, 'ResourceNotFound', 'no such attribute', tenant);
        delete entity[segs[3]];
        return send(res, req, 204);
      }
    }
    if (segs[0] === 'entityOperations' && m === 'POST') {
      const op = segs[1];
      if (op === 'query') {
        const matchers = (body?.entities ?? []).map((e) => typeMatcher(e.type)).filter(Boolean);
        const attrs = typeof body?.attrs === 'string' ? body.attrs.split(',') : body?.attrs;
        const all = [...entities.values()].filter((e) => (matchers.length === 0 || matchers.some((match) => match(e))) && holdsOneOf(e, attrs));
        const extra = q.get('count') === 'true' ? { 'ngsild-results-count': String(all.length) } : {};
        return send(res, req, 200, all.map((e) => project(e, attrs, form)), extra);
      }
      const success = [];
      const errors = [];
      for (const item of body ?? []) {
        const id = typeof item === 'string' ? item : item.id;
        if (op === 'create' && entities.has(id)) errors.push({ entityId: id, error: { type: 'https://uri.etsi.org/ngsi-ld/errors/AlreadyExists', title: 'exists', status: 409 } });
        else if (op === 'delete') {
          if (entities.delete(id)) success.push(id);
          else errors.push({ entityId: id, error: { type: 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound', title: 'missing', status: 404 } });
        } else if (op !== 'upsert' && !entities.has(id)) errors.push({ entityId: id, error: { type: 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound', title: 'missing', status: 404 } });
        else {
          if (entities.has(id)) mergeInto(entities.get(id), item);
          else {
            const { '@context': _c, ...e } = item;
            entities.set(id, e);
          }
          success.push(id);
        }
      }
      return send(res, req, errors.length ? 207 : op === 'create' ? 201 : 204, errors.length ? { success, errors } : op === 'create' ? success : undefined);
    }
    if (segs[0] === 'types' && segs.length === 1 && m === 'GET') {
      const names = [...new Set([...entities.values()].flatMap(typesOf))];
      if (q.get('details') === 'true') {
        return send(res, req, 200, names.map((t) => ({
          id: `${ATTR_VOCAB}${t}`, type: 'EntityType', typeName: t,
          attributeNames: [...attributesOf([...entities.values()].filter((e) => typesOf(e).includes(t))).keys()],
        })));
      }
      return send(res, req, 200, { id: 'urn:ngsi-ld:EntityTypeList:1', type: 'EntityTypeList', typeList: names });
    }
    if (segs[0] === 'types' && segs.length === 2 && m === 'GET') {
      const ofType = [...entities.values()].filter((e) => typesOf(e).includes(segs[1]));
      if (ofType.length === 0) return problem(res, 404, 'ResourceNotFound', 'no such type', tenant);
      return send(res, req, 200, {
        id: `${ATTR_VOCAB}${segs[1]}`, type: 'EntityTypeInfo', typeName: segs[1], entityCount: ofType.length,
        attributeDetails: [...attributesOf(ofType)].map(([name, a]) => ({ id: `${ATTR_VOCAB}${name}`, type: 'Attribute', attributeName: name, attributeCount: a.count, attributeTypes: ['Property'] })),
      });
    }
    if (segs[0] === 'attributes' && segs.length === 1 && m === 'GET') {
      const byName = attributesOf(entities.values());
      if (q.get('details') === 'true') return send(res, req, 200, [...byName].map(([name, a]) => attributeItem(name, a)));
      return send(res, req, 200, { id: 'urn:ngsi-ld:AttributeList:1', type: 'AttributeList', attributeList: [...byName.keys()] });
    }
    if (segs[0] === 'attributes' && segs.length === 2 && m === 'GET') {
      const a = attributesOf(entities.values()).get(segs[1]);
      return a ? send(res, req, 200, attributeItem(segs[1], a)) : problem(res, 404, 'ResourceNotFound', 'no such attribute', tenant);
    }
    if (segs[0] === 'temporal' && segs[1] === 'entities' && segs.length === 3 && m === 'GET') {
      const entity = entities.get(segs[2]);
      if (!entity) return problem(res, 404, 'ResourceNotFound', 'no such entity', tenant);
      return send(res, req, 200, temporal(entity, state.history));
    }
    // Temporal writes act on the same entities: the history is derived from them.
    if (segs[0] === 'temporal' && segs[1] === 'entities' && segs.length === 2 && m === 'POST') {
      if (!body || typeof body.id !== 'string') return problem(res, 400, 'BadRequestData', 'entity needs an id', tenant);
      const existing = entities.get(body.id);
      if (existing) mergeInto(existing, body);
      else {
        const { '@context': _c, ...e } = body;
        entities.set(e.id, e);
      }
      return send(res, req, existing ? 204 : 201);
    }
    if (segs[0] === 'temporal' && segs[1] === 'entities' && segs.length >= 3 && m !== 'GET') {
      const entity = entities.get(segs[2]);
      if (!entity) return problem(res, 404, 'ResourceNotFound', 'no such entity', tenant);
      if (segs.length === 3 && m === 'DELETE') entities.delete(segs[2]);
      else if (segs[3] === 'attrs' && segs.length === 4 && m === 'POST') mergeInto(entity, body);
      else if (segs[3] === 'attrs' && segs.length === 5 && m === 'DELETE') delete entity[segs[4]];
      else if (segs[3] !== 'attrs' || segs.length !== 6) return problem(res, 501, 'OperationNotSupported', 'not implemented by the test broker', tenant);
      return send(res, req, 204);
    }
    if (segs[0] === 'temporal' && segs[1] === 'entities' && segs.length === 2 && m === 'GET') {
      const all = selected(entities, q);
      const extra = q.get('count') === 'true' ? { 'ngsild-results-count': String(all.length) } : {};
      return send(res, req, 200, all.slice(0, Number(q.get('limit') ?? 20)).map((e) => temporal(e, state.history)), extra);
    }
    if (segs[0] === 'subscriptions') {
      const subscriptions = subscriptionsOf(tenant);
      if (segs.length === 1 && m === 'POST') {
        const id = body?.id ?? `urn:ngsi-ld:Subscription:${state.nextSubscription++}`;
        if (subscriptions.has(id)) return problem(res, 409, 'AlreadyExists', 'subscription exists', tenant);
        const { '@context': _c, ...sub } = body ?? {};
        subscriptions.set(id, { ...sub, id, status: 'active' });
        return send(res, req, 201, undefined, { location: `${BASE}/subscriptions/${encodeURIComponent(id)}` });
      }
      if (segs.length === 1 && m === 'GET') {
        const all = [...subscriptions.values()];
        return send(res, req, 200, all, q.get('count') === 'true' ? { 'ngsild-results-count': String(all.length) } : {});
      }
      const s = segs.length === 2 ? subscriptions.get(segs[1]) : undefined;
      if (segs.length === 2 && !s) return problem(res, 404, 'ResourceNotFound', 'no such subscription', tenant);
      if (segs.length === 2 && m === 'GET') return send(res, req, 200, s);
      if (segs.length === 2 && m === 'PATCH') {
        const { '@context': _c, ...patch } = body ?? {};
        Object.assign(s, patch);
        return send(res, req, 204);
      }
      if (segs.length === 2 && m === 'DELETE') {
        subscriptions.delete(segs[1]);
        return send(res, req, 204);
      }
    }
    return problem(res, 501, 'OperationNotSupported', 'not implemented by the test broker', tenant);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    /** Every notification sent: subscription id, endpoint, payload and the status it got. */
    notifications,
    /** The CA to trust when notifying an HTTPS endpoint (the gateway's relay). */
    trust(ca) {
      state.ca = ca;
    },
    /** The subscription as the broker holds it. */
    subscription(id, tenant) {
      return subscriptionsOf(tenant).get(id);
    },
    /** Send a notification with arbitrary `data`, as a broker might; resolves with the status it got. */
    notify(id, data, tenant) {
      const sub = subscriptionsOf(tenant).get(id);
      if (!sub) throw new Error(`no subscription ${id}`);
      return sendNotification(sub, data);
    },
    setDelay(ms) {
      state.delayMs = ms;
    },
    setFault(fault) {
      state.fault = fault;
    },
    entity(id, tenant) {
      const e = store(tenant).get(id);
      return e === undefined ? undefined : structuredClone(e);
    },
    seed(entity, tenant) {
      store(tenant).set(entity.id, structuredClone(entity));
    },
    history(times) {
      state.history = [...times];
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
