-- API processes cache authenticated keys in memory. Every change that can alter an
-- authentication result (revocation, role, hash, name, deletion) is announced on the channel
-- `dgascope_api_keys`, whoever makes it (the API, the CLI, plain SQL), so that no process
-- goes on accepting a revoked key. Changes to last_used_at alone are not announced: they are
-- bookkeeping, written at most once a minute per key.
CREATE FUNCTION "notify_api_key_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('dgascope_api_keys', OLD.id::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "api_keys_notify_change"
  AFTER UPDATE OF "revoked_at", "role", "key_hash", "name" OR DELETE ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION "notify_api_key_change"();
