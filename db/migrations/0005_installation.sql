CREATE TABLE "installation" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "installation_singleton_check" CHECK ("installation"."singleton")
);
--> statement-breakpoint
-- Hand-added: the one row, created with the database, so the id exists before any worker needs it. The app role
-- reads it (SELECT through the default privileges of 0004); nobody but the owner may change it.
INSERT INTO "installation" DEFAULT VALUES;
