/**
 * oidc-provider's adapter on SQLite: each model (Session, Interaction, AuthorizationCode,
 * AccessToken, RefreshToken, Grant, PushedAuthorizationRequest, ...) is a row of JSON with
 * its expiry, found by id, user code, interaction uid, and revoked by grant. An expired row
 * is never returned, whether or not it was swept yet. Consuming is one conditional UPDATE,
 * so of two redemptions of one code only one consumes it.
 */
import type { Statement } from 'better-sqlite3';
import type { AdapterPayload } from 'oidc-provider';
import type { SqliteDatabase } from './sqlite.js';
import type { ModelAdapter, OidcModelStore } from '../issuer/model-store.js';

interface Row {
  payload: string;
}

export class SqliteOidcStore implements OidcModelStore {
  private readonly put: Statement<[string, string, string, string | null, string | null, string | null, number | null]>;
  private readonly one: Statement<[string, string, number], Row>;
  private readonly byUserCode: Statement<[string, string, number], Row>;
  private readonly byUid: Statement<[string, string, number], Row>;
  private readonly consumeOne: Statement<[number, string, string]>;
  private readonly destroyOne: Statement<[string, string]>;
  private readonly revoke: Statement<[string, string]>;
  private readonly sweepExpired: Statement<[number, number]>;

  constructor(db: SqliteDatabase, private readonly now: () => number = Date.now) {
    this.put = db.prepare(
      'INSERT OR REPLACE INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const live = '(expires_at IS NULL OR expires_at > ?)';
    this.one = db.prepare(`SELECT payload FROM oidc_models WHERE model = ? AND id = ? AND ${live}`);
    this.byUserCode = db.prepare(`SELECT payload FROM oidc_models WHERE model = ? AND user_code = ? AND ${live}`);
    this.byUid = db.prepare(`SELECT payload FROM oidc_models WHERE model = ? AND uid = ? AND ${live}`);
    // `consumed` is written into the payload, where oidc-provider reads it.
    this.consumeOne = db.prepare(
      "UPDATE oidc_models SET payload = json_set(payload, '$.consumed', ?) WHERE model = ? AND id = ? AND json_extract(payload, '$.consumed') IS NULL",
    );
    this.destroyOne = db.prepare('DELETE FROM oidc_models WHERE model = ? AND id = ?');
    this.revoke = db.prepare('DELETE FROM oidc_models WHERE model = ? AND grant_id = ?');
    this.sweepExpired = db.prepare(
      'DELETE FROM oidc_models WHERE rowid IN (SELECT rowid FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)',
    );
  }

  /** The adapter for one model, as oidc-provider's `adapter` option asks for it. */
  adapter(model: string): ModelAdapter {
    const find = (stmt: Statement<[string, string, number], Row>, key: string): AdapterPayload | undefined => {
      const row = stmt.get(model, key, this.now());
      return row === undefined ? undefined : (JSON.parse(row.payload) as AdapterPayload);
    };
    return {
      upsert: async (id, payload, expiresIn) => {
        const expiresAt = expiresIn === undefined ? null : this.now() + expiresIn * 1000;
        this.put.run(model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresAt);
      },
      find: async (id) => find(this.one, id),
      findByUserCode: async (userCode) => find(this.byUserCode, userCode),
      findByUid: async (uid) => find(this.byUid, uid),
      consume: async (id) => this.consumeOne.run(Math.floor(this.now() / 1000), model, id).changes > 0,
      destroy: async (id) => {
        this.destroyOne.run(model, id);
      },
      revokeByGrantId: async (grantId) => {
        this.revoke.run(model, grantId);
      },
    };
  }

  async sweep(limit: number): Promise<number> {
    return this.sweepExpired.run(this.now(), limit).changes;
  }
}
