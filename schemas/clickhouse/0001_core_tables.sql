-- Core tables of the walking skeleton. Written in the subset that ClickHouse 18.16
-- and modern servers (24-26) both accept: no LowCardinality, DateTime64, TTL or Map.
-- Every table is a ReplacingMergeTree keyed by a deterministic id, so a redelivered
-- batch replaces rows instead of adding them; read with FINAL for exact counts.

-- One row per interaction event, after detection. Text is stored as the pipeline
-- saw it after normalization and redaction; evidence offsets point into it.
CREATE TABLE IF NOT EXISTS interaction_events (
    tenant            String,
    event_id          UUID,
    conversation_id   String,
    event_type        String,
    event_time        DateTime,
    event_time_ms     UInt64,
    source            String,
    channel           String,
    speaker           String,
    seq               UInt32,
    customer_id       String,
    agent_id          String,
    queue             String,
    text              String,
    lang              String,
    lang_confidence   Float32,
    emotion           String,
    emotion_score     Float32,
    sentiment         String,
    sentiment_score   Float32,
    signal_labels     Array(String),
    transfer_to       String,
    resolution        String,
    survey_kind       String,
    survey_score      Int16,
    classifier_version String,
    detector_version  String,
    ingested_at       DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(event_time)
ORDER BY (tenant, toDate(event_time), conversation_id, event_id);

-- One row per detected signal (deflection, positive moment, ...) with its evidence.
CREATE TABLE IF NOT EXISTS signals (
    tenant            String,
    signal_id         String,
    conversation_id   String,
    event_id          UUID,
    event_time        DateTime,
    channel           String,
    agent_id          String,
    queue             String,
    lang              String,
    label             String,
    category          String,
    polarity          String,
    score             Float32,
    evidence_start    UInt32,
    evidence_end      UInt32,
    evidence_text     String,
    rule_id           String,
    rule_version      String,
    ingested_at       DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(event_time)
ORDER BY (tenant, toDate(event_time), conversation_id, event_id, signal_id);

-- Latest state per conversation; version counts the events applied, so the row
-- with the most events wins whatever order parts merge in.
CREATE TABLE IF NOT EXISTS conversations (
    tenant             String,
    conversation_id    String,
    version            UInt64,
    channel            String,
    customer_id        String,
    first_agent_id     String,
    last_agent_id      String,
    queue              String,
    lang               String,
    started_at         DateTime,
    last_event_at      DateTime,
    events             UInt32,
    customer_messages  UInt32,
    agent_messages     UInt32,
    transfers          UInt32,
    areas              Array(String),
    deflections        UInt32,
    positive_signals   UInt32,
    indifference_score Float32,
    score_part_names   Array(String),
    score_part_values  Array(Float32),
    customer_emotion_peak String,
    worst_sentiment    Float32,
    ended              UInt8,
    resolution         String,
    escalated          UInt8,
    detector_version   String,
    ingested_at        DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(started_at)
ORDER BY (tenant, conversation_id);

-- What was sent to alerting consumers, why, and the evidence.
CREATE TABLE IF NOT EXISTS escalations (
    tenant            String,
    escalation_id     UUID,
    conversation_id   String,
    trigger_event_id  UUID,
    triggered_at      DateTime,
    severity          String,
    reason            String,
    queue             String,
    channel           String,
    customer_id       String,
    agent_id          String,
    score             Float32,
    score_part_names  Array(String),
    score_part_values Array(Float32),
    evidence_labels   Array(String),
    evidence_texts    Array(String),
    nats_subject      String,
    rule_version      String,
    ingested_at       DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(triggered_at)
ORDER BY (tenant, conversation_id, escalation_id)
