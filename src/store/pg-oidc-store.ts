/**
 * oidc-provider's adapter on PostgreSQL (the table of migration 10), shared by every gateway
 * instance on the database: an interaction started on one is found on another, and a code
 * or a refresh token is consumed by one UPDATE that only an unconsumed row matches, so two
 * instances asked at once cannot both redeem it. Rows are laid out as on SQLite: the model's
 * JSON with its expiry; an expired row is never returned, whether or not it was swept yet.
 */
import type { AdapterPayload } from 'oidc-provider';
import type { PgPool } from './pg.js';
import type { ModelAdapter, OidcModelStore } from '../issuer/model-store.js';

const LIVE = '(expires_at IS NULL OR expires_at > $3)';
const UPSERT = `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
  uid = excluded.uid, expires_at = excluded.expires_at`;
// `consumed` is written into the payload, where oidc-provider reads it.
const CONSUME = `UPDATE oidc_models SET payload = (payload::jsonb || jsonb_build_object('consumed', $1::bigint))::text
  WHERE model = $2 AND id = $3 AND payload::jsonb -> 'consumed' IS NULL RETURNING id`;
// A batch at a time, so a long backlog never holds one long transaction; SKIP LOCKED lets
// instances sweeping at once take different rows.
const SWEEP = `DELETE FROM oidc_models WHERE (model, id) IN (
  SELECT model, id FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`;

export class PgOidcStore implements OidcModelStore {
  constructor(private readonly pool: PgPool, private readonly now: () => number = Date.now) {}

  adapter(model: string): ModelAdapter {
    const find = async (column: 'id' | 'user_code' | 'uid', key: string): Promise<AdapterPayload | undefined> => {
      const r = await this.pool.query<{ payload: string }>(`SELECT payload FROM oidc_models WHERE model = $1 AND ${column} = $2 AND ${LIVE}`, [model, key, this.now()]);
      const row = r.rows[0];
      return row === undefined ? undefined : (JSON.parse(row.payload) as AdapterPayload);
    };
    return {
      upsert: async (id, payload, expiresIn) => {
        const expiresAt = expiresIn === undefined ? null : this.now() + expiresIn * 1000;
        await this.pool.query(UPSERT, [model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresAt]);
      },
      find: (id) => find('id', id),
      findByUserCode: (userCode) => find('user_code', userCode),
      findByUid: (uid) => find('uid', uid),
      consume: async (id) => ((await this.pool.query(CONSUME, [Math.floor(this.now() / 1000), model, id])).rowCount ?? 0) > 0,
      destroy: async (id) => {
        await this.pool.query('DELETE FROM oidc_models WHERE model = $1 AND id = $2', [model, id]);
      },
      revokeByGrantId: async (grantId) => {
        await this.pool.query('DELETE FROM oidc_models WHERE model = $1 AND grant_id = $2', [model, grantId]);
      },
    };
  }

  async sweep(limit: number): Promise<number> {
    return (await this.pool.query(SWEEP, [this.now(), limit])).rowCount ?? 0;
  }
}
