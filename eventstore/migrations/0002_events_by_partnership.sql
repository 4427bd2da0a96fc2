-- Auditors replay, trace and export one partnership at a time (issue 5): every domain event
-- names its partnership in data, so this index finds a partnership's events across all its
-- streams (partnership, reviews, exits, committees, escalations) in global order without
-- scanning the whole log.
CREATE INDEX events_by_partnership ON events ((data ->> 'partnership'), position);
