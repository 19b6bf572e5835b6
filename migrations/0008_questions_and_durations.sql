-- Hosts (issue 5): custom questions to invitees and several durations per event type.
--
-- `event_types.other_durations`: the durations an invitee may pick besides `duration_minutes`
-- (which stays the default), as minutes joined by commas ('15,60'); '' offers only the default.
-- `event_types.questions`: the host's questions, a JSON array of {"label", "required"}, at most
-- ten. `bookings.answers`: the invitee's answers, a JSON array of {"question", "answer"} that
-- keeps each question as the invitee read it. Answers are invitee personal data: the retention
-- job resets them to '[]' with the name, email and note (src/store/retention.rs).
--
-- A booking's own duration is its end minus its start, so a reschedule keeps it without a column.

ALTER TABLE event_types ADD COLUMN other_durations TEXT NOT NULL DEFAULT ''
    CHECK (length(other_durations) <= 40 AND other_durations NOT GLOB '*[^0-9,]*');
ALTER TABLE event_types ADD COLUMN questions TEXT NOT NULL DEFAULT '[]'
    CHECK (length(questions) <= 6000 AND json_valid(questions) AND json_type(questions) = 'array'
           AND json_array_length(questions) <= 10);
ALTER TABLE bookings ADD COLUMN answers TEXT NOT NULL DEFAULT '[]'
    CHECK (length(answers) <= 30000 AND json_valid(answers) AND json_type(answers) = 'array');
