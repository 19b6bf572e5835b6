//! Reading provider answers by a described shape through one deserializer.
//!
//! Each answer used to be read into its own `#[derive(Deserialize)]` structs, and every struct,
//! `Vec` and `Option` of them compiled its own copy of serde_json's parsing loops (39 KB of
//! wasm, 13 KB gzipped; BENCHMARKS.md, *Size*). Here an answer's shape is data ([`Shape`]), and
//! one visitor reads any shape into a [`Node`] tree that the provider modules take apart.
//!
//! Invariant: the visitor makes exactly the calls the derived code made (`deserialize_struct`
//! for a record, `deserialize_option`, `deserialize_seq`, `deserialize_map`,
//! `deserialize_string`, `deserialize_bool`, unknown fields skipped as `IgnoredAny`, missing and
//! duplicate fields refused at the same points), so an answer is accepted or refused exactly as
//! before, and a refusal carries the same category, line and column.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// What a value in an answer is read as.
pub(crate) enum Shape {
    /// A JSON string (`String`).
    Text,
    /// `true` or `false` (`bool`).
    Flag,
    /// A non-negative integer or a string: Zoom's meeting id (an untagged number-or-text).
    Id,
    /// `null` (or a missing field) or the inner shape (`Option<T>`).
    Maybe(&'static Shape),
    /// A JSON array of the inner shape (`Vec<T>`).
    List(&'static Shape),
    /// A JSON object keyed by strings, a later duplicate key replacing an earlier one.
    Keyed(&'static Shape),
    /// An object with these fields; other fields are skipped (a derived struct, which also
    /// takes the fields in order as an array).
    Record(&'static [Field]),
}

/// One field of a [`Shape::Record`].
pub(crate) struct Field {
    /// The name on the wire.
    name: &'static str,
    shape: Shape,
    /// Missing reads as empty (`#[serde(default)]`: an empty list or object, `false`).
    default: bool,
}

impl Field {
    /// A field the answer must have (unless its shape is [`Shape::Maybe`]).
    pub(crate) const fn new(name: &'static str, shape: Shape) -> Self {
        Self {
            name,
            shape,
            default: false,
        }
    }

    /// A field read as empty when missing.
    pub(crate) const fn or_empty(name: &'static str, shape: Shape) -> Self {
        Self {
            name,
            shape,
            default: true,
        }
    }
}

/// A value read by its [`Shape`].
pub(crate) enum Node {
    /// `null`, or a field that was missing.
    Missing,
    Text(String),
    Flag(bool),
    /// An [`Shape::Id`] given as a number.
    Number(u64),
    List(Vec<Node>),
    Keyed(Vec<(String, Node)>),
    /// The fields' values, in the order of `fields`.
    Record(&'static [Field], Vec<Node>),
}

static MISSING: Node = Node::Missing;

impl Node {
    /// The field `name` of a record ([`Node::Missing`] when it was absent or `null`).
    pub(crate) fn get(&self, name: &str) -> &Node {
        match self {
            Self::Record(fields, values) => fields
                .iter()
                .position(|f| f.name == name)
                .map_or(&MISSING, |i| &values[i]),
            _ => &MISSING,
        }
    }

    /// Takes the field `name` out of a record.
    pub(crate) fn take(&mut self, name: &str) -> Node {
        match self {
            Self::Record(fields, values) => match fields.iter().position(|f| f.name == name) {
                Some(i) => std::mem::replace(&mut values[i], Node::Missing),
                None => Node::Missing,
            },
            _ => Node::Missing,
        }
    }

    /// Whether there is a value (not `null`, not missing).
    pub(crate) fn is_present(&self) -> bool {
        !matches!(self, Self::Missing)
    }

    /// The text, if this is text.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The text, owned, if this is text.
    pub(crate) fn into_text(self) -> Option<String> {
        match self {
            Self::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The flag, if this is one.
    pub(crate) fn flag(&self) -> Option<bool> {
        match self {
            Self::Flag(flag) => Some(*flag),
            _ => None,
        }
    }

    /// The items of a list (none when missing).
    pub(crate) fn items(&self) -> &[Node] {
        match self {
            Self::List(items) => items,
            _ => &[],
        }
    }

    /// The items of a list, owned.
    pub(crate) fn into_items(self) -> Vec<Node> {
        match self {
            Self::List(items) => items,
            _ => Vec::new(),
        }
    }

    /// The value under `key` of a keyed object.
    pub(crate) fn entry(&self, key: &str) -> Option<&Node> {
        match self {
            Self::Keyed(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Reads `body` as `shape`, as `serde_json::from_slice` reads a type: the value, then nothing
/// but whitespace.
pub(crate) fn read(body: &[u8], shape: &'static Shape) -> Result<Node, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let node = shape.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(node)
}

impl<'de> DeserializeSeed<'de> for &'static Shape {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        let visitor = Visit(self);
        match self {
            Shape::Text => deserializer.deserialize_string(visitor),
            Shape::Flag => deserializer.deserialize_bool(visitor),
            Shape::Id => {
                // As the untagged enum did: any value is read whole first, then taken as a
                // number that fits a u64 or as text, else refused (with the position the
                // enclosing record gives it).
                let value: serde_json::Value = de::Deserialize::deserialize(deserializer)?;
                match value {
                    serde_json::Value::Number(n) if n.as_u64().is_some() => {
                        Ok(Node::Number(n.as_u64().unwrap_or_default()))
                    }
                    serde_json::Value::String(text) => Ok(Node::Text(text)),
                    _ => Err(de::Error::custom("an id must be a number or a string")),
                }
            }
            Shape::Maybe(_) => deserializer.deserialize_option(visitor),
            Shape::List(_) => deserializer.deserialize_seq(visitor),
            Shape::Keyed(_) => deserializer.deserialize_map(visitor),
            Shape::Record(_) => deserializer.deserialize_struct("", &[], visitor),
        }
    }
}

/// Which field a key names, if any.
struct FieldKey(&'static [Field]);

impl<'de> DeserializeSeed<'de> for FieldKey {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldKey {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|field| field.name == key))
    }
}

struct Visit(&'static Shape);

impl<'de> Visitor<'de> for Visit {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self.0 {
            Shape::Text => "a string",
            Shape::Flag => "a boolean",
            Shape::Id => "a number or a string",
            Shape::Maybe(_) => "option",
            Shape::List(_) => "a sequence",
            Shape::Keyed(_) => "an object",
            Shape::Record(_) => "a record",
        })
    }

    // `deserialize` asks serde_json for exactly one kind of value per shape, so each of these
    // is only called for the shape that asked for it.
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Node, E> {
        Ok(Node::Text(text.to_owned()))
    }

    fn visit_bool<E: de::Error>(self, flag: bool) -> Result<Node, E> {
        Ok(Node::Flag(flag))
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Missing)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        match self.0 {
            Shape::Maybe(inner) => inner.deserialize(deserializer),
            _ => Err(de::Error::invalid_type(de::Unexpected::Option, &self)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        match self.0 {
            Shape::List(inner) => {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element_seed(*inner)? {
                    items.push(item);
                }
                Ok(Node::List(items))
            }
            Shape::Record(fields) => {
                // A derived struct read from an array: its fields in order, a missing one
                // refused unless it has a default (an `Option` is no exception here).
                let mut values = Vec::with_capacity(fields.len());
                for (index, field) in fields.iter().enumerate() {
                    match seq.next_element_seed(&field.shape)? {
                        Some(value) => values.push(value),
                        None if field.default => values.push(Node::Missing),
                        None => return Err(de::Error::invalid_length(index, &self)),
                    }
                }
                Ok(Node::Record(fields, values))
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        match self.0 {
            Shape::Keyed(inner) => {
                let mut entries: Vec<(String, Node)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value_seed(*inner)?;
                    match entries.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, slot)) => *slot = value,
                        None => entries.push((key, value)),
                    }
                }
                Ok(Node::Keyed(entries))
            }
            Shape::Record(fields) => {
                let mut seen: Vec<Option<Node>> = fields.iter().map(|_| None).collect();
                while let Some(key) = map.next_key_seed(FieldKey(fields))? {
                    match key {
                        Some(index) => {
                            if seen[index].is_some() {
                                return Err(de::Error::duplicate_field(fields[index].name));
                            }
                            seen[index] = Some(map.next_value_seed(&fields[index].shape)?);
                        }
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                // Missing fields in declaration order: `null` for an `Option`, empty for a
                // default, else the first one refuses the record.
                let mut values = Vec::with_capacity(fields.len());
                for (field, value) in fields.iter().zip(seen) {
                    match value {
                        Some(value) => values.push(value),
                        None if field.default || matches!(field.shape, Shape::Maybe(_)) => {
                            values.push(Node::Missing)
                        }
                        None => return Err(de::Error::missing_field(field.name)),
                    }
                }
                Ok(Node::Record(fields, values))
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The shapes are checked against the derived structs they replaced: every body, valid or
    //! mangled, is accepted or refused alike, and a refusal has the same category and position.
    use super::super::{google, microsoft, zoom};
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    #[allow(dead_code)]
    mod derived {
        use serde::Deserialize;

        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        pub struct Event {
            pub id: String,
            pub status: Option<String>,
            pub hangout_link: Option<String>,
            pub conference_data: Option<ConferenceData>,
            pub start: Option<EventStart>,
        }
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        pub struct EventStart {
            pub date_time: Option<String>,
        }
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        pub struct ConferenceData {
            pub create_request: Option<CreateRequest>,
            #[serde(default)]
            pub entry_points: Vec<EntryPoint>,
        }
        #[derive(Deserialize, Debug)]
        pub struct CreateRequest {
            pub status: Option<RequestStatus>,
        }
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        pub struct RequestStatus {
            pub status_code: Option<String>,
        }
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        pub struct EntryPoint {
            pub entry_point_type: Option<String>,
            pub uri: Option<String>,
        }

        #[derive(Deserialize, Debug)]
        pub struct FreeBusy {
            #[serde(default)]
            pub calendars: crate::core::small_map::SmallMap<String, FreeBusyCalendar>,
        }
        #[derive(Deserialize, Debug)]
        pub struct FreeBusyCalendar {
            #[serde(default)]
            pub busy: Vec<TimePeriod>,
            #[serde(default)]
            pub errors: Vec<ErrorItem>,
        }
        #[derive(Deserialize, Debug)]
        pub struct TimePeriod {
            pub start: String,
            pub end: String,
        }
        #[derive(Deserialize, Debug)]
        pub struct ErrorItem {
            pub reason: Option<String>,
        }

        #[derive(Deserialize, Debug)]
        #[serde(untagged)]
        pub enum MeetingId {
            Number(u64),
            Text(String),
        }
        #[derive(Deserialize, Debug)]
        pub struct MeetingList {
            #[serde(default)]
            pub meetings: Vec<ListedMeeting>,
            pub next_page_token: Option<String>,
        }
        #[derive(Deserialize, Debug)]
        pub struct ListedMeeting {
            pub id: MeetingId,
            pub join_url: Option<String>,
            pub agenda: Option<String>,
        }

        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        pub struct CalendarList {
            #[serde(default)]
            pub items: Vec<CalendarListEntry>,
            pub next_page_token: Option<String>,
        }
        #[derive(Deserialize, Debug)]
        pub struct CalendarListEntry {
            pub id: String,
            pub summary: Option<String>,
            #[serde(default)]
            pub primary: bool,
        }

        #[derive(Deserialize, Debug)]
        pub struct Meeting {
            pub id: MeetingId,
            pub join_url: Option<String>,
        }

        #[derive(Deserialize, Debug)]
        pub struct GraphCalendarList {
            #[serde(default)]
            pub value: Vec<GraphCalendarEntry>,
            #[serde(rename = "@odata.nextLink")]
            pub next_link: Option<String>,
        }
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        pub struct GraphCalendarEntry {
            pub id: String,
            pub name: Option<String>,
            #[serde(default)]
            pub is_default_calendar: bool,
        }

        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        pub struct GraphEvent {
            pub id: String,
            pub start: Option<DateTimeTimeZone>,
            pub is_cancelled: Option<bool>,
            pub is_online_meeting: Option<bool>,
            pub online_meeting: Option<OnlineMeeting>,
        }
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        pub struct OnlineMeeting {
            pub join_url: Option<String>,
        }

        #[derive(Deserialize, Debug)]
        pub struct CalendarView {
            #[serde(default)]
            pub value: Vec<ViewItem>,
            #[serde(rename = "@odata.nextLink")]
            pub next_link: Option<String>,
        }
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        pub struct ViewItem {
            pub start: DateTimeTimeZone,
            pub end: DateTimeTimeZone,
            pub show_as: Option<String>,
            pub is_cancelled: Option<bool>,
        }
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        pub struct DateTimeTimeZone {
            pub date_time: String,
            pub time_zone: Option<String>,
        }
    }

    /// `Ok` or the error's category, line and column (the parts a refusal shows).
    fn outcome<T>(result: Result<T, serde_json::Error>) -> Result<(), String> {
        result.map(|_| ()).map_err(|e| {
            format!("{:?} at {}:{}", e.classify(), e.line(), e.column())
        })
    }

    fn same_as_derived<T: for<'de> Deserialize<'de>>(shape: &'static Shape, body: &[u8]) {
        let ours = outcome(read(body, shape));
        let theirs = outcome(serde_json::from_slice::<T>(body));
        assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(body));
    }

    fn all_alike(body: &[u8]) {
        same_as_derived::<derived::Event>(&google::EVENT, body);
        same_as_derived::<derived::FreeBusy>(&google::FREE_BUSY, body);
        same_as_derived::<derived::CalendarList>(&google::CALENDAR_LIST, body);
        same_as_derived::<derived::Meeting>(&zoom::MEETING, body);
        same_as_derived::<derived::MeetingList>(&zoom::MEETING_LIST, body);
        same_as_derived::<derived::GraphCalendarList>(&microsoft::CALENDAR_LIST, body);
        same_as_derived::<derived::CalendarView>(&microsoft::CALENDAR_VIEW, body);
        same_as_derived::<derived::GraphEvent>(&microsoft::EVENT, body);
    }

    const SAMPLES: &[&[u8]] = &[
        br#"{"id":"e1","status":"confirmed","hangoutLink":"https://meet.google.com/a",
            "conferenceData":{"createRequest":{"status":{"statusCode":"success"}},
            "entryPoints":[{"entryPointType":"video","uri":"https://meet.google.com/a"}]},
            "start":{"dateTime":"2026-03-02T09:00:00Z","timeZone":"Europe/Berlin"},"x":[1,{"y":null}]}"#,
        br#"{"kind":"calendar#freeBusy","calendars":{"a@example.com":{"busy":[
            {"start":"2026-03-02T09:00:00Z","end":"2026-03-02T10:00:00Z"}]},
            "b":{"errors":[{"domain":"global","reason":"notFound"}]},"a@example.com":{}}}"#,
        br#"{"page_size":300,"next_page_token":"t","meetings":[{"id":85746065432,
            "join_url":"https://zoom.us/j/1","agenda":"x"},{"id":"123","agenda":null},
            {"id":-4},{"id":1.5},{"id":null},{"id":[1,"a"]},{"id":{"a":1}},{"id":true}]}"#,
        br#"{"value":[{"start":{"dateTime":"2026-03-02T09:00:00.0000000","timeZone":"UTC"},
            "end":{"dateTime":"2026-03-02T09:30:00.0000000","timeZone":"UTC"},
            "showAs":"busy","isCancelled":false,"isAllDay":true}],
            "@odata.nextLink":"https://graph.microsoft.com/v1.0/me/calendarView?$skip=10"}"#,
        br#"{"value":[["x", "y"], [{"dateTime":"a"}, ["b", null], "busy"],
            [{"dateTime":"a"},{"dateTime":"b"},null,null]]}"#,
        br#"{"meetings":[[5],[5,null,null],["7","https://z",null,1]],"id":"i"}"#,
        br#"{"calendars":{"x":[[],[]], "y":[[["s","e"]]]},"calendars":{}}"#,
        br#"["e1", null, null, {"createRequest":{},"entryPoints":[[null,"u"]]}, ["t"]]"#,
        br#"{"items":[{"id":"c1","summary":"Work","primary":true,"accessRole":"owner"},
            {"id":"c2","primary":"yes"},{"id":"c3","primary":null}],"nextPageToken":"n"}"#,
        br#"{"value":[{"id":"m1","name":"Calendar","isDefaultCalendar":true},["m2",null,false],
            ["m3"],{"id":"m4","isDefaultCalendar":1}]}"#,
        br#"{"id":"AAMk","start":{"dateTime":"2026-03-02T09:00:00.0000000","timeZone":"UTC"},
            "isCancelled":false,"isOnlineMeeting":true,"onlineMeeting":{"joinUrl":null}}"#,
        br#"{"id":85746065432,"join_url":"https://zoom.us/j/1","id":"2"}"#,
        br#"{"id":"a","id":"b"}"#,
        br#"{"id":5}"#,
        br#"{"id":"x","start":{"dateTime":"a","dateTime":"b"}}"#,
        br#"{"id":"x","conferenceData":{"entryPoints":null}}"#,
        br#"{"id":"x","conferenceData":{"entryPoints":[{"uri":7}]}}"#,
        br#"{"value":[{"start":{"dateTime":"a"},"end":{"timeZone":"UTC"}}]}"#,
        br#"{"value":[{"start":{"dateTime":"a"},"end":{"dateTime":"b"},"isAllDay":null}]}"#,
        br#"{"calendars":{"a":{"busy":[{"start":"s"}]}}}"#,
        br#"{"calendars":{"a":{"busy":[{"start":"s","end":"e","start":"t"}]}}}"#,
        br#"{"meetings":[{"join_url":"u"}]}"#,
        br#"{"meetings":[{"id":18446744073709551615},{"id":18446744073709551616},{"id":-0}]}"#,
        br#"{"meetings":[{"id":{"a":"\ud800"}}]}"#,
        b"{\"meetings\":[{\"id\":{\"a\":\"\xff\"}}]}",
        b"{\"meetings\":[{\"id\":1,\"agenda\":\"\xff\"}]}",
        b"{\"meetings\":[{\"id\":1,\"other\":\"\xff\"}]}",
        br#"{"id":"x"} x"#,
        br#"{"id":"x",}"#,
        br#"{"id":"x" "#,
        br#"[]"#,
        br#"null"#,
        br#""#,
        br#"{"value":[],"value":[]}"#,
        br#"{"@odata.nextLink":null,"value":[1]}"#,
    ];

    #[test]
    fn samples_read_like_the_derived_structs() {
        for sample in SAMPLES {
            all_alike(sample);
        }
    }

    #[test]
    fn values_are_read_as_the_derived_structs_read_them() {
        let body = SAMPLES[0];
        let event = read(body, &google::EVENT).unwrap();
        let derived: derived::Event = serde_json::from_slice(body).unwrap();
        assert_eq!(event.get("id").text(), Some(derived.id.as_str()));
        assert_eq!(event.get("status").text(), derived.status.as_deref());
        let data = derived.conference_data.unwrap();
        let points = event.get("conferenceData").get("entryPoints").items();
        assert_eq!(points.len(), data.entry_points.len());
        assert_eq!(points[0].get("uri").text(), data.entry_points[0].uri.as_deref());
        assert_eq!(
            event.get("start").get("dateTime").text(),
            derived.start.unwrap().date_time.as_deref()
        );
        let busy = read(SAMPLES[1], &google::FREE_BUSY).unwrap();
        // The later duplicate key wins, as in the map it replaced.
        let a = busy.get("calendars").entry("a@example.com").unwrap();
        assert!(a.get("busy").items().is_empty());
        assert_eq!(
            busy.get("calendars").entry("b").unwrap().get("errors").items()[0]
                .get("reason")
                .text(),
            Some("notFound")
        );
        let list = read(
            br#"{"meetings":[{"id":85746065432},{"id":"123"}]}"#,
            &zoom::MEETING_LIST,
        )
        .unwrap();
        let items = list.get("meetings").items();
        assert!(matches!(items[0].get("id"), Node::Number(85746065432)));
        assert_eq!(items[1].get("id").text(), Some("123"));
    }

    proptest! {
        /// Mangled answers (a byte replaced, removed or repeated) are refused, or accepted,
        /// exactly where the derived structs refused or accepted them.
        #[test]
        fn mangled_answers_read_like_the_derived_structs(
            sample in 0..SAMPLES.len(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, prop::sample::select(b"{}[],:\"0-.9tfnlu\\ ax".to_vec())), 1..4),
        ) {
            let mut body = SAMPLES[sample].to_vec();
            for (at, kind, byte) in edits {
                if body.is_empty() {
                    body.push(byte);
                    continue;
                }
                let i = at.index(body.len());
                match kind {
                    0 => body[i] = byte,
                    1 => { body.remove(i); }
                    _ => body.insert(i, body[i]),
                }
            }
            all_alike(&body);
        }
    }
}
