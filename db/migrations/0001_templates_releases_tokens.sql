CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_role_check" CHECK ("api_tokens"."role" in ('viewer', 'releaser', 'promoter', 'admin'))
);
--> statement-breakpoint
CREATE TABLE "releases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"product_version" text NOT NULL,
	"template_key" text NOT NULL,
	"template_revision" integer NOT NULL,
	"descriptor" jsonb NOT NULL,
	"digest" text NOT NULL,
	"overrides" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_by_token_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"idempotency_key" text,
	"request_digest" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"key" text NOT NULL,
	"revision" integer NOT NULL,
	"document" jsonb NOT NULL,
	"digest" text NOT NULL,
	"created_by" text NOT NULL,
	"created_by_token_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "templates_key_revision_pk" PRIMARY KEY("key","revision"),
	CONSTRAINT "templates_revision_check" CHECK ("templates"."revision" >= 1)
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "actor_token_id" uuid;--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_created_by_token_id_api_tokens_id_fk" FOREIGN KEY ("created_by_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_template_key_template_revision_templates_key_revision_fk" FOREIGN KEY ("template_key","template_revision") REFERENCES "public"."templates"("key","revision") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_created_by_token_id_api_tokens_id_fk" FOREIGN KEY ("created_by_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_idx" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "releases_seq_idx" ON "releases" USING btree ("seq");--> statement-breakpoint
CREATE UNIQUE INDEX "releases_idempotency_idx" ON "releases" USING btree ("created_by_token_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "releases_product_version_idx" ON "releases" USING btree ("product_version","seq");--> statement-breakpoint
CREATE INDEX "releases_created_by_idx" ON "releases" USING btree ("created_by_token_id","seq");--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor");