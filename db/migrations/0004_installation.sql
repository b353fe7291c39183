CREATE TABLE "installation" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "installation_singleton_check" CHECK ("installation"."singleton")
);
--> statement-breakpoint
-- Hand-added: the one row, created with the database, so the id exists before any worker needs it.
INSERT INTO "installation" DEFAULT VALUES;
