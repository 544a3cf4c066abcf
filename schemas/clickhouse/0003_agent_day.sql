-- Indifference per agent and day, with its parts, computed from the latest
-- state of each conversation (FINAL) and attributed to the agent who last
-- handled it. Views, so they are always current and need no backfill.

CREATE VIEW IF NOT EXISTS agent_day AS
SELECT
    tenant,
    last_agent_id AS agent_id,
    toDate(started_at) AS day,
    count() AS conversations,
    avg(indifference_score) AS indifference_score,
    sum(indifferent) AS indifferent_conversations,
    sum(positive_moment) AS positive_moments,
    sum(escalated) AS escalated_conversations,
    sum(deflections) AS deflections,
    any(detector_version) AS detector_version
FROM conversations FINAL
WHERE last_agent_id != ''
GROUP BY tenant, agent_id, day;

-- The score's parts per agent-day: the average contribution of each part
-- over the agent's conversations of the day (0 where it did not occur).
CREATE VIEW IF NOT EXISTS agent_day_parts AS
SELECT
    tenant,
    agent_id,
    day,
    part,
    sum(value) / any(conversations) AS avg_value,
    count() AS conversations_with_part
FROM
(
    SELECT tenant, agent_id, day, part, value
    FROM
    (
        SELECT tenant, last_agent_id AS agent_id, toDate(started_at) AS day, score_part_names, score_part_values
        FROM conversations FINAL
        WHERE last_agent_id != ''
    )
    ARRAY JOIN score_part_names AS part, score_part_values AS value
) AS parts
ANY INNER JOIN
(
    SELECT tenant, last_agent_id AS agent_id, toDate(started_at) AS day, count() AS conversations
    FROM conversations FINAL
    WHERE last_agent_id != ''
    GROUP BY tenant, agent_id, day
) AS per_day USING (tenant, agent_id, day)
GROUP BY tenant, agent_id, day, part
