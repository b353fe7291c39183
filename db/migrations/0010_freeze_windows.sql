CREATE TABLE "freeze_windows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"environment" text,
	"kind" text NOT NULL,
	"schedule" jsonb NOT NULL,
	"reason" text NOT NULL,
	"created_by" text NOT NULL,
	"created_by_token_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"ended_by" text,
	CONSTRAINT "freeze_windows_kind_check" CHECK ("freeze_windows"."kind" in ('deny','allow'))
);
--> statement-breakpoint
ALTER TABLE "freeze_windows" ADD CONSTRAINT "freeze_windows_environment_environments_name_fk" FOREIGN KEY ("environment") REFERENCES "public"."environments"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "freeze_windows" ADD CONSTRAINT "freeze_windows_created_by_token_id_api_tokens_id_fk" FOREIGN KEY ("created_by_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "freeze_windows_env_idx" ON "freeze_windows" USING btree ("environment","created_at");--> statement-breakpoint
-- The application role creates and ends windows (no DELETE: an ended window stays, with who ended it).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flow_controller_app') THEN
    GRANT INSERT, UPDATE ON freeze_windows TO flow_controller_app;
  END IF;
END $$;
