/**
 * What the described routes share: the token they need and how their schemas are used.
 *
 * A route's body schema is checked by the stage that reads the body, after the caller is
 * authenticated (bodies stay bytes until then), against the very object the route
 * declares; fastify's own check would run before authentication and answer an unknown
 * caller about its input. Answers leave already serialised (gateway `answer()`), so the
 * response schemas describe them and a test holds them to it; nothing is compiled for
 * serialisation.
 */
import type { FastifyInstance } from 'fastify';

/** The security requirement of a route called with a bearer access token. */
export const BEARER = [{ bearer: [] }];

/** The security requirement of a route whose call carries no token of its own. */
export const NO_TOKEN = [];

/** Set in a plugin's own (encapsulated) context: its routes' schemas describe, the stages check. */
export function describedRoutes(app: FastifyInstance): void {
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

interface ObjectSchema {
  properties: Readonly<Record<string, unknown>>;
  required?: readonly string[];
}

/** An object schema with more members: answers that add to a shape described elsewhere. */
export function withProperties<S extends ObjectSchema>(schema: S, properties: Record<string, unknown>, required: readonly string[] = []) {
  return { ...schema, required: [...(schema.required ?? []), ...required], properties: { ...schema.properties, ...properties } };
}
