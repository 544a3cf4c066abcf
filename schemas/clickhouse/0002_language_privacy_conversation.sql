-- Columns for intent, redaction and conversation-level detection. Plain
-- ADD COLUMN: 18.16 knows no IF NOT EXISTS here, so the migrator treats
-- "column already exists" (code 44) as applied, which keeps a half-applied
-- migration safe to run again.

ALTER TABLE interaction_events ADD COLUMN intent String DEFAULT '';
ALTER TABLE interaction_events ADD COLUMN intent_score Float32 DEFAULT 0;
ALTER TABLE interaction_events ADD COLUMN emotion_intensity Float32 DEFAULT 0;
-- Redaction: the types found and a keyed hash of each value (never the value).
ALTER TABLE interaction_events ADD COLUMN pii_types Array(String);
ALTER TABLE interaction_events ADD COLUMN pii_hashes Array(String);
ALTER TABLE interaction_events ADD COLUMN redactor_version String DEFAULT '';

ALTER TABLE conversations ADD COLUMN intent String DEFAULT '';
ALTER TABLE conversations ADD COLUMN reasons Array(String);
ALTER TABLE conversations ADD COLUMN indifferent UInt8 DEFAULT 0;
ALTER TABLE conversations ADD COLUMN positive_moment UInt8 DEFAULT 0;
ALTER TABLE conversations ADD COLUMN sentiment_start Float32 DEFAULT 0;
ALTER TABLE conversations ADD COLUMN sentiment_end Float32 DEFAULT 0;
ALTER TABLE conversations ADD COLUMN handovers UInt32 DEFAULT 0;
ALTER TABLE conversations ADD COLUMN max_reply_seconds UInt32 DEFAULT 0;
ALTER TABLE conversations ADD COLUMN repeat_contact UInt8 DEFAULT 0;
ALTER TABLE conversations ADD COLUMN emotional_load Float32 DEFAULT 0;
ALTER TABLE conversations ADD COLUMN public_channel UInt8 DEFAULT 0
