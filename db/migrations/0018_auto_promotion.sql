CREATE TABLE "auto_promotion_holds" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"reason" text NOT NULL,
	"held_by" text NOT NULL,
	"held_by_token_id" uuid,
	"deployment_id" bigint,
	"held_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resumed_at" timestamp with time zone,
	"resumed_by" text,
	"resume_reason" text
);
--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "auto_promote" jsonb;--> statement-breakpoint
ALTER TABLE "auto_promotion_holds" ADD CONSTRAINT "auto_promotion_holds_environment_environments_name_fk" FOREIGN KEY ("environment") REFERENCES "public"."environments"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auto_promotion_holds" ADD CONSTRAINT "auto_promotion_holds_held_by_token_id_api_tokens_id_fk" FOREIGN KEY ("held_by_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "auto_promotion_holds_one_idx" ON "auto_promotion_holds" USING btree ("environment") WHERE "auto_promotion_holds"."resumed_at" is null;--> statement-breakpoint
CREATE INDEX "deployments_rollback_from_idx" ON "deployments" USING btree ("previous_release_id","environment") WHERE "deployments"."is_rollback";--> statement-breakpoint
-- The application role holds and resumes auto-promotion (no DELETE: a resumed hold keeps its row, with who and why).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flow_controller_app') THEN
    GRANT INSERT, UPDATE ON auto_promotion_holds TO flow_controller_app;
  END IF;
END $$;
