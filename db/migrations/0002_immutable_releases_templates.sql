-- Releases and template revisions are written once and never changed: the database itself rejects
-- UPDATE, DELETE and TRUNCATE on them, whatever the code above it does.
CREATE OR REPLACE FUNCTION flow_reject_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is immutable: % rejected', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation', HINT = 'releases and template revisions are append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER releases_immutable BEFORE UPDATE OR DELETE ON releases
  FOR EACH ROW EXECUTE FUNCTION flow_reject_mutation();
--> statement-breakpoint
CREATE TRIGGER releases_no_truncate BEFORE TRUNCATE ON releases
  FOR EACH STATEMENT EXECUTE FUNCTION flow_reject_mutation();
--> statement-breakpoint
CREATE TRIGGER templates_immutable BEFORE UPDATE OR DELETE ON templates
  FOR EACH ROW EXECUTE FUNCTION flow_reject_mutation();
--> statement-breakpoint
CREATE TRIGGER templates_no_truncate BEFORE TRUNCATE ON templates
  FOR EACH STATEMENT EXECUTE FUNCTION flow_reject_mutation();
