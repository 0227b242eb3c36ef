/**
 * The schema of both stores, as one ordered list of migrations: migration i brings a
 * database to version i + 1, on SQLite and on PostgreSQL alike, so both count versions the
 * same way. An entry is one SQL text when both dialects read it alike, or a text per
 * dialect where they differ (STRICT tables, triggers, column types). Released entries are
 * never edited; changes are new entries at the end.
 *
 * On PostgreSQL the audit tables carry the writing instance: each gateway appends to its
 * own chain (instance, seq), so several instances share one database without sharing a
 * chain head. On SQLite they carry the writing segment (since migration 17): the workers
 * of one gateway each append to their own chain (segment, seq) in the one file.
 */
export interface Migration {
  sqlite: string;
  postgres: string;
}

const same = (sql: string): Migration => ({ sqlite: sql, postgres: sql });

export const MIGRATIONS: readonly Migration[] = [
  // 1: audit log. Triggers refuse UPDATE and DELETE so that nothing in mimtrust can alter
  // history by mistake; deliberate tampering is caught by the hash chain, not by these.
  {
    sqlite: `
    CREATE TABLE audit_records (
      seq             INTEGER PRIMARY KEY,
      time            TEXT    NOT NULL,
      decision_id     TEXT    NOT NULL,
      request_id      TEXT    NOT NULL,
      sub             TEXT,
      client_id       TEXT,
      operation       TEXT    NOT NULL,
      action          TEXT    NOT NULL,
      tenant          TEXT,
      targets         TEXT    NOT NULL,
      effect          TEXT    NOT NULL,
      reason          TEXT    NOT NULL,
      rules           TEXT,
      upstream_status INTEGER,
      latency_ms      REAL    NOT NULL,
      method          TEXT    NOT NULL,
      path            TEXT    NOT NULL,
      prev_hash       TEXT    NOT NULL,
      hash            TEXT    NOT NULL
    ) STRICT;
    CREATE TABLE audit_checkpoints (
      seq       INTEGER PRIMARY KEY,
      hash      TEXT NOT NULL,
      time      TEXT NOT NULL,
      kid       TEXT NOT NULL,
      signature TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
      BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
      BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
      BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
    CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
      BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
    `,
    postgres: `
    CREATE TABLE audit_records (
      instance        TEXT             NOT NULL,
      seq             BIGINT           NOT NULL,
      time            TEXT             NOT NULL,
      decision_id     TEXT             NOT NULL,
      request_id      TEXT             NOT NULL,
      sub             TEXT,
      client_id       TEXT,
      operation       TEXT             NOT NULL,
      action          TEXT             NOT NULL,
      tenant          TEXT,
      targets         TEXT             NOT NULL,
      effect          TEXT             NOT NULL,
      reason          TEXT             NOT NULL,
      rules           TEXT,
      upstream_status INTEGER,
      latency_ms      DOUBLE PRECISION NOT NULL,
      method          TEXT             NOT NULL,
      path            TEXT             NOT NULL,
      prev_hash       TEXT             NOT NULL,
      hash            TEXT             NOT NULL,
      PRIMARY KEY (instance, seq)
    );
    CREATE TABLE audit_checkpoints (
      instance  TEXT   NOT NULL,
      seq       BIGINT NOT NULL,
      hash      TEXT   NOT NULL,
      time      TEXT   NOT NULL,
      kid       TEXT   NOT NULL,
      signature TEXT   NOT NULL,
      PRIMARY KEY (instance, seq)
    );
    CREATE FUNCTION mimtrust_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME; END $$;
    CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
      FOR EACH ROW EXECUTE FUNCTION mimtrust_append_only();
    CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
      FOR EACH ROW EXECUTE FUNCTION mimtrust_append_only();
    `,
  },
  // 2: usage contracts created through the admin API (files in contracts/ are not copied here).
  {
    sqlite: `
    CREATE TABLE contracts (
      uid        TEXT PRIMARY KEY,
      document   TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    `,
    postgres: `
    CREATE TABLE contracts (
      uid        TEXT PRIMARY KEY,
      document   TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    `,
  },
  // 3: subscriptions made through the gateway: owner, the subscriber's endpoint, the
  // subscription as decided, and the hash of the relay token the broker was given.
  {
    sqlite: `
    CREATE TABLE subscriptions (
      relay_hash      TEXT PRIMARY KEY,
      tenant          TEXT NOT NULL,
      subscription_id TEXT,
      issuer          TEXT NOT NULL,
      sub             TEXT NOT NULL,
      client_id       TEXT NOT NULL,
      subscriber      TEXT NOT NULL,
      endpoint        TEXT NOT NULL,
      decided         TEXT NOT NULL,
      created_at      TEXT NOT NULL,
      updated_at      TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX subscriptions_by_id ON subscriptions (tenant, subscription_id) WHERE subscription_id IS NOT NULL;
    CREATE INDEX subscriptions_by_owner ON subscriptions (tenant, issuer, sub, client_id);
    `,
    postgres: `
    CREATE TABLE subscriptions (
      relay_hash      TEXT PRIMARY KEY,
      tenant          TEXT NOT NULL,
      subscription_id TEXT,
      issuer          TEXT NOT NULL,
      sub             TEXT NOT NULL,
      client_id       TEXT NOT NULL,
      subscriber      TEXT NOT NULL,
      endpoint        TEXT NOT NULL,
      decided         TEXT NOT NULL,
      created_at      TEXT NOT NULL,
      updated_at      TEXT NOT NULL
    );
    CREATE UNIQUE INDEX subscriptions_by_id ON subscriptions (tenant, subscription_id) WHERE subscription_id IS NOT NULL;
    CREATE INDEX subscriptions_by_owner ON subscriptions (tenant, issuer, sub, client_id);
    `,
  },
  // 4: audit records name the IRIs decided on, the contract snapshot revision and the
  // detail level a log duty asked for.
  same(`
  ALTER TABLE audit_records ADD COLUMN decided TEXT;
  ALTER TABLE audit_records ADD COLUMN contract_revision INTEGER;
  ALTER TABLE audit_records ADD COLUMN audit_level TEXT;
  `),
  // 5: audit records name the issuer of the caller's token, since a sub or client id means
  // something only together with it.
  same(`
  ALTER TABLE audit_records ADD COLUMN issuer TEXT;
  `),
  // 6: audit records name the providers of the contracts behind a decision or an admin change.
  same(`
  ALTER TABLE audit_records ADD COLUMN providers TEXT;
  `),
  // 7: API contracts live in their provider's namespace ('' for the operator's, made when
  // no providers are configured).
  {
    sqlite: `
    CREATE TABLE contracts_by_provider (
      provider   TEXT NOT NULL,
      uid        TEXT NOT NULL,
      document   TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (provider, uid)
    ) STRICT;
    INSERT INTO contracts_by_provider (provider, uid, document, updated_at) SELECT '', uid, document, updated_at FROM contracts;
    DROP TABLE contracts;
    ALTER TABLE contracts_by_provider RENAME TO contracts;
    `,
    postgres: `
    CREATE TABLE contracts_by_provider (
      provider   TEXT NOT NULL,
      uid        TEXT NOT NULL,
      document   TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (provider, uid)
    );
    INSERT INTO contracts_by_provider (provider, uid, document, updated_at) SELECT '', uid, document, updated_at FROM contracts;
    DROP TABLE contracts;
    ALTER TABLE contracts_by_provider RENAME TO contracts;
    `,
  },
  // 8: what the contract registry keeps for a restart: the remote documents each contract
  // context was last built from (URL -> @context, as one JSON object), and the last version
  // of each contract file that was in force.
  {
    sqlite: `
    CREATE TABLE contract_context_copies (
      key        TEXT PRIMARY KEY,
      documents  TEXT NOT NULL,
      fetched_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE contract_file_copies (
      source     TEXT PRIMARY KEY,
      document   TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    `,
    postgres: `
    CREATE TABLE contract_context_copies (
      key        TEXT PRIMARY KEY,
      documents  TEXT NOT NULL,
      fetched_at TEXT NOT NULL
    );
    CREATE TABLE contract_file_copies (
      source     TEXT PRIMARY KEY,
      document   TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    `,
  },
  // 9: citizens' consent records (src/consent): the record as given, found by its data
  // subject (issuer and sub), and its events, which are only ever added to; audit records
  // of consent events say which record, whose, to whom and for what.
  {
    sqlite: `
    CREATE TABLE consent_records (
      id             TEXT PRIMARY KEY,
      subject_issuer TEXT NOT NULL,
      subject_sub    TEXT NOT NULL,
      record         TEXT NOT NULL,
      given_at       TEXT NOT NULL
    ) STRICT;
    CREATE INDEX consent_records_by_subject ON consent_records (subject_issuer, subject_sub, given_at);
    CREATE TABLE consent_events (
      consent_id TEXT    NOT NULL REFERENCES consent_records (id),
      seq        INTEGER NOT NULL,
      event      TEXT    NOT NULL,
      at         TEXT    NOT NULL,
      PRIMARY KEY (consent_id, seq)
    ) STRICT;
    CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
      BEGIN SELECT RAISE(ABORT, 'consent events are append-only'); END;
    CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
      BEGIN SELECT RAISE(ABORT, 'consent events are append-only'); END;
    CREATE TRIGGER consent_records_no_update BEFORE UPDATE ON consent_records
      BEGIN SELECT RAISE(ABORT, 'consent records are kept as given'); END;
    ALTER TABLE audit_records ADD COLUMN consent TEXT;
    `,
    postgres: `
    CREATE TABLE consent_records (
      id             TEXT PRIMARY KEY,
      subject_issuer TEXT NOT NULL,
      subject_sub    TEXT NOT NULL,
      record         TEXT NOT NULL,
      given_at       TEXT NOT NULL
    );
    CREATE INDEX consent_records_by_subject ON consent_records (subject_issuer, subject_sub, given_at);
    CREATE TABLE consent_events (
      consent_id TEXT    NOT NULL REFERENCES consent_records (id),
      seq        INTEGER NOT NULL,
      event      TEXT    NOT NULL,
      at         TEXT    NOT NULL,
      PRIMARY KEY (consent_id, seq)
    );
    CREATE TRIGGER consent_events_append_only BEFORE UPDATE OR DELETE ON consent_events
      FOR EACH ROW EXECUTE FUNCTION mimtrust_append_only();
    CREATE FUNCTION mimtrust_kept_as_given() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '% rows are kept as given', TG_TABLE_NAME; END $$;
    CREATE TRIGGER consent_records_kept_as_given BEFORE UPDATE ON consent_records
      FOR EACH ROW EXECUTE FUNCTION mimtrust_kept_as_given();
    ALTER TABLE audit_records ADD COLUMN consent TEXT;
    `,
  },
  // 10: citizens' local accounts (src/accounts), and what the OIDC issuer keeps between
  // requests (src/issuer): oidc-provider's models as JSON with their expiry, found by id,
  // user code, interaction uid or grant, and the consents and purpose a grant rests on.
  {
    sqlite: `
    CREATE TABLE accounts (
      id            TEXT PRIMARY KEY,
      username      TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      created_at    TEXT NOT NULL,
      disabled_at   TEXT
    ) STRICT;
    CREATE TABLE oidc_models (
      model      TEXT    NOT NULL,
      id         TEXT    NOT NULL,
      payload    TEXT    NOT NULL,
      grant_id   TEXT,
      user_code  TEXT,
      uid        TEXT,
      expires_at INTEGER,
      PRIMARY KEY (model, id)
    ) STRICT;
    CREATE INDEX oidc_models_by_grant ON oidc_models (grant_id) WHERE grant_id IS NOT NULL;
    CREATE INDEX oidc_models_by_user_code ON oidc_models (model, user_code) WHERE user_code IS NOT NULL;
    CREATE INDEX oidc_models_by_uid ON oidc_models (model, uid) WHERE uid IS NOT NULL;
    CREATE INDEX oidc_models_by_expiry ON oidc_models (expires_at) WHERE expires_at IS NOT NULL;
    `,
    postgres: `
    CREATE TABLE accounts (
      id            TEXT PRIMARY KEY,
      username      TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      created_at    TEXT NOT NULL,
      disabled_at   TEXT
    );
    CREATE TABLE oidc_models (
      model      TEXT    NOT NULL,
      id         TEXT    NOT NULL,
      payload    TEXT    NOT NULL,
      grant_id   TEXT,
      user_code  TEXT,
      uid        TEXT,
      expires_at BIGINT,
      PRIMARY KEY (model, id)
    );
    CREATE INDEX oidc_models_by_grant ON oidc_models (grant_id) WHERE grant_id IS NOT NULL;
    CREATE INDEX oidc_models_by_user_code ON oidc_models (model, user_code) WHERE user_code IS NOT NULL;
    CREATE INDEX oidc_models_by_uid ON oidc_models (model, uid) WHERE uid IS NOT NULL;
    CREATE INDEX oidc_models_by_expiry ON oidc_models (expires_at) WHERE expires_at IS NOT NULL;
    `,
  },
  // 11: accounts of citizens who log in through an upstream identity provider, found by
  // that provider's issuer and subject; such an account has no password of its own.
  {
    sqlite: `
    CREATE TABLE account_identities (
      issuer     TEXT NOT NULL,
      subject    TEXT NOT NULL,
      account_id TEXT NOT NULL REFERENCES accounts (id),
      linked_at  TEXT NOT NULL,
      PRIMARY KEY (issuer, subject)
    ) STRICT;
    `,
    postgres: `
    CREATE TABLE account_identities (
      issuer     TEXT NOT NULL,
      subject    TEXT NOT NULL,
      account_id TEXT NOT NULL REFERENCES accounts (id),
      linked_at  TEXT NOT NULL,
      PRIMARY KEY (issuer, subject)
    );
    `,
  },
  // 12: audit records name whose data a read released under consent (hashed with the
  // record), and an index of those data subjects, written with the record, by which a
  // person finds the reads of their data.
  {
    sqlite: `
    ALTER TABLE audit_records ADD COLUMN released TEXT;
    CREATE TABLE audit_data_subjects (
      subject TEXT    NOT NULL,
      seq     INTEGER NOT NULL REFERENCES audit_records (seq),
      PRIMARY KEY (subject, seq)
    ) STRICT, WITHOUT ROWID;
    CREATE TRIGGER audit_data_subjects_no_update BEFORE UPDATE ON audit_data_subjects
      BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    CREATE TRIGGER audit_data_subjects_no_delete BEFORE DELETE ON audit_data_subjects
      BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    `,
    postgres: `
    ALTER TABLE audit_records ADD COLUMN released TEXT;
    CREATE TABLE audit_data_subjects (
      subject  TEXT   NOT NULL,
      instance TEXT   NOT NULL,
      seq      BIGINT NOT NULL,
      PRIMARY KEY (subject, instance, seq),
      FOREIGN KEY (instance, seq) REFERENCES audit_records (instance, seq)
    );
    CREATE TRIGGER audit_data_subjects_append_only BEFORE UPDATE OR DELETE ON audit_data_subjects
      FOR EACH ROW EXECUTE FUNCTION mimtrust_append_only();
    `,
  },
  // 13: audit records name how the caller's token was bound to it (bearer, dpop, mtls).
  same(`
  ALTER TABLE audit_records ADD COLUMN binding TEXT;
  `),
  // 14: Bitstring Status Lists for the credentials the city issues (src/credentials): each
  // list's bits with a revision that counts their changes, and each credential's list and
  // index, handed out once.
  {
    sqlite: `
    CREATE TABLE status_lists (
      id         INTEGER PRIMARY KEY,
      length     INTEGER NOT NULL,
      used       INTEGER NOT NULL,
      bits       BLOB    NOT NULL,
      revision   INTEGER NOT NULL,
      updated_at TEXT    NOT NULL
    ) STRICT;
    CREATE TABLE status_entries (
      credential_id TEXT    PRIMARY KEY,
      list_id       INTEGER NOT NULL REFERENCES status_lists (id),
      idx           INTEGER NOT NULL,
      set_at        TEXT,
      UNIQUE (list_id, idx)
    ) STRICT;
    `,
    postgres: `
    CREATE TABLE status_lists (
      id         SERIAL  PRIMARY KEY,
      length     INTEGER NOT NULL,
      used       INTEGER NOT NULL,
      bits       BYTEA   NOT NULL,
      revision   BIGINT  NOT NULL,
      updated_at TEXT    NOT NULL
    );
    CREATE TABLE status_entries (
      credential_id TEXT    PRIMARY KEY,
      list_id       INTEGER NOT NULL REFERENCES status_lists (id),
      idx           INTEGER NOT NULL,
      set_at        TEXT,
      UNIQUE (list_id, idx)
    );
    `,
  },
  // 15: the trusted issuers the operator puts through the admin API (src/credentials/trusted-list.ts),
  // next to the configured ones: each entry as the admin API took it.
  {
    sqlite: `
    CREATE TABLE trusted_issuers (
      did        TEXT PRIMARY KEY,
      entry      TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    `,
    postgres: `
    CREATE TABLE trusted_issuers (
      did        TEXT PRIMARY KEY,
      entry      TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    `,
  },
  // 16: failed logins at the OIDC issuer, counted in the database so that every instance
  // sees the failures made at the others (src/issuer/login-throttle.ts). Keys are hashes of
  // the account and address counted against; each row expires with its window. A gateway on
  // SQLite is one process and counts in memory: nothing to keep there.
  {
    sqlite: '-- login failures are counted in memory on SQLite',
    postgres: `
    CREATE TABLE login_failures (
      id         BIGSERIAL PRIMARY KEY,
      key        TEXT   NOT NULL,
      failed_at  BIGINT NOT NULL,
      expires_at BIGINT NOT NULL
    );
    CREATE INDEX login_failures_by_key ON login_failures (key, failed_at);
    CREATE INDEX login_failures_by_expiry ON login_failures (expires_at);
    `,
  },
  // 17: on SQLite too, the audit log is kept in segments, one chain each, so the workers
  // of one gateway (\`workers\`) append to the one file each on its own chain. The tables are
  // made again keyed (segment, seq), with \`id\` the order records were written in across
  // segments (what \`audit list|tail|export\` follow); the records of before are the default
  // segment '', unchanged, so their hashes and checkpoints still hold. PostgreSQL keeps a
  // segment per instance since migration 1: nothing to do there.
  {
    sqlite: `
    ALTER TABLE audit_data_subjects RENAME TO audit_data_subjects_v15;
    ALTER TABLE audit_records RENAME TO audit_records_v15;
    ALTER TABLE audit_checkpoints RENAME TO audit_checkpoints_v15;
    CREATE TABLE audit_records (
      id                INTEGER PRIMARY KEY,
      segment           TEXT    NOT NULL DEFAULT '',
      seq               INTEGER NOT NULL,
      time              TEXT    NOT NULL,
      decision_id       TEXT    NOT NULL,
      request_id        TEXT    NOT NULL,
      sub               TEXT,
      client_id         TEXT,
      operation         TEXT    NOT NULL,
      action            TEXT    NOT NULL,
      tenant            TEXT,
      targets           TEXT    NOT NULL,
      effect            TEXT    NOT NULL,
      reason            TEXT    NOT NULL,
      rules             TEXT,
      upstream_status   INTEGER,
      latency_ms        REAL    NOT NULL,
      method            TEXT    NOT NULL,
      path              TEXT    NOT NULL,
      prev_hash         TEXT    NOT NULL,
      hash              TEXT    NOT NULL,
      decided           TEXT,
      contract_revision INTEGER,
      audit_level       TEXT,
      issuer            TEXT,
      providers         TEXT,
      consent           TEXT,
      released          TEXT,
      binding           TEXT,
      UNIQUE (segment, seq)
    ) STRICT;
    INSERT INTO audit_records (id, segment, seq, time, decision_id, request_id, sub, client_id, operation, action, tenant, targets, effect, reason, rules, upstream_status, latency_ms, method, path, prev_hash, hash, decided, contract_revision, audit_level, issuer, providers, consent, released, binding)
      SELECT seq, '', seq, time, decision_id, request_id, sub, client_id, operation, action, tenant, targets, effect, reason, rules, upstream_status, latency_ms, method, path, prev_hash, hash, decided, contract_revision, audit_level, issuer, providers, consent, released, binding
      FROM audit_records_v15 ORDER BY seq;
    CREATE TABLE audit_checkpoints (
      segment   TEXT    NOT NULL DEFAULT '',
      seq       INTEGER NOT NULL,
      hash      TEXT    NOT NULL,
      time      TEXT    NOT NULL,
      kid       TEXT    NOT NULL,
      signature TEXT    NOT NULL,
      PRIMARY KEY (segment, seq)
    ) STRICT;
    INSERT INTO audit_checkpoints (segment, seq, hash, time, kid, signature)
      SELECT '', seq, hash, time, kid, signature FROM audit_checkpoints_v15 ORDER BY seq;
    CREATE TABLE audit_data_subjects (
      subject TEXT    NOT NULL,
      segment TEXT    NOT NULL,
      seq     INTEGER NOT NULL,
      PRIMARY KEY (subject, segment, seq),
      FOREIGN KEY (segment, seq) REFERENCES audit_records (segment, seq)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO audit_data_subjects (subject, segment, seq) SELECT subject, '', seq FROM audit_data_subjects_v15;
    DROP TABLE audit_data_subjects_v15;
    DROP TABLE audit_records_v15;
    DROP TABLE audit_checkpoints_v15;
    CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
      BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
      BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
      BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
    CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
      BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
    CREATE TRIGGER audit_data_subjects_no_update BEFORE UPDATE ON audit_data_subjects
      BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    CREATE TRIGGER audit_data_subjects_no_delete BEFORE DELETE ON audit_data_subjects
      BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    `,
    postgres: 'SELECT 1;',
  },
  // 18: state every process of a deployment must agree on (src/store/*-expiring-keys.ts,
  // pg-usage-counters.ts): keys that expire, by kind (DPoP proofs seen, sessions, sign-ins
  // under way, login challenges), each held once; and the usage counts of `count`
  // constraints, each key's window ending at `until` (epoch ms). On PostgreSQL one function
  // counts a request against all its keys at once, only while each is below its limit.
  {
    sqlite: `
    CREATE TABLE expiring_keys (
      kind  TEXT    NOT NULL,
      key   TEXT    NOT NULL,
      value TEXT,
      until INTEGER NOT NULL,
      PRIMARY KEY (kind, key)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX expiring_keys_until ON expiring_keys (kind, until);
    `,
    postgres: `
    CREATE TABLE expiring_keys (
      kind  TEXT   NOT NULL,
      key   TEXT   NOT NULL,
      value TEXT,
      until BIGINT NOT NULL,
      PRIMARY KEY (kind, key)
    );
    CREATE INDEX expiring_keys_until ON expiring_keys (kind, until);
    CREATE TABLE usage_counts (
      key   TEXT   PRIMARY KEY,
      count BIGINT NOT NULL,
      until BIGINT NOT NULL
    );
    CREATE INDEX usage_counts_until ON usage_counts (until);
    -- Keys arrive sorted, so two requests sharing keys lock them in one order. Each row is
    -- locked by its upsert (a closed window starts again at 0), then all are counted or none.
    CREATE FUNCTION mimtrust_count(p_keys TEXT[], p_limits BIGINT[], p_untils BIGINT[], p_now BIGINT)
    RETURNS TABLE (counted BOOLEAN, counts BIGINT[], fresh INTEGER) LANGUAGE plpgsql AS $fn$
    DECLARE
      c BIGINT;
      inserted BOOLEAN;
      cs BIGINT[] := '{}';
      ok BOOLEAN := TRUE;
      n INTEGER := 0;
    BEGIN
      FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
        INSERT INTO usage_counts AS u (key, count, until) VALUES (p_keys[i], 0, p_untils[i])
          ON CONFLICT (key) DO UPDATE SET
            count = CASE WHEN u.until <= p_now THEN 0 ELSE u.count END,
            until = CASE WHEN u.until <= p_now THEN EXCLUDED.until ELSE u.until END
          RETURNING u.count, (xmax = 0) INTO c, inserted;
        IF inserted THEN n := n + 1; END IF;
        IF c >= p_limits[i] THEN ok := FALSE; END IF;
        cs := cs || c;
      END LOOP;
      IF ok THEN
        UPDATE usage_counts SET count = count + 1 WHERE key = ANY (p_keys);
        cs := ARRAY(SELECT x + 1 FROM unnest(cs) WITH ORDINALITY AS t(x, o) ORDER BY o);
      END IF;
      RETURN QUERY SELECT ok, cs, n;
    END
    $fn$;
    `,
  },
  // 19: failed logins at the OIDC issuer on SQLite too, for the workers of one gateway
  // (src/store/sqlite-login-failures.ts), the same rows as PostgreSQL's of migration 16.
  {
    sqlite: `
    CREATE TABLE login_failures (
      id         INTEGER PRIMARY KEY,
      key        TEXT    NOT NULL,
      failed_at  INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX login_failures_by_key ON login_failures (key, failed_at);
    CREATE INDEX login_failures_by_expiry ON login_failures (expires_at);
    `,
    postgres: 'SELECT 1;',
  },
  // 20: the data-subject index read by record, as `audit verify` walks it beside the chain.
  {
    sqlite: 'CREATE INDEX audit_data_subjects_by_record ON audit_data_subjects (segment, seq, subject);',
    postgres: 'CREATE INDEX audit_data_subjects_by_record ON audit_data_subjects (instance, seq, subject);',
  },
];

/** The SQLite dialect of every migration, in order. */
export const SQLITE_MIGRATIONS: readonly string[] = MIGRATIONS.map((m) => m.sqlite);

/** The PostgreSQL dialect of every migration, in order. */
export const POSTGRES_MIGRATIONS: readonly string[] = MIGRATIONS.map((m) => m.postgres);
