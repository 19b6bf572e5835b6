//! A booking's invitee (and, on rows that carry it, the host's address), kept in D1 only sealed under the host's data key (crypto-shredding,
//! issue 13; `keys.rs` says where keys live, `crypto::data_key` how a field is sealed).
//!
//! The invitee's name, address, time zone, note and answers are one JSON value sealed into
//! `bookings.invitee_sealed`, bound to the booking's id; the plaintext columns of a row written
//! since are blank. Rows are opened here, in the store, right after they are read, so every
//! reader above sees the invitee as before and none can forget to open it. The address is
//! also kept as a blind index (`invitee_email_index`), which is what erasure and access
//! requests find an invitee's bookings by.
//!
//! Rows written before sealing existed still hold plaintext until the scheduled run
//! ([`Store::seal_plaintext_invitees`]) seals them; until then they are read as they are.

use serde::{Deserialize, Serialize};

use super::{Param, Store, StoreError};
use crate::crypto::data_key::Field;

/// What the plaintext columns of a sealed booking hold (their CHECKs need values).
pub(super) const BLANK_NAME: &str = "";
pub(super) const BLANK_EMAIL: &str = "";
pub(super) const BLANK_TIME_ZONE: &str = "UTC";
pub(super) const BLANK_NOTE: &str = "";
pub(super) const BLANK_ANSWERS: &str = "[]";

/// Where the sealed invitee of booking `booking_id` belongs (its associated data).
fn invitee_field(booking_id: &str) -> Field<'_> {
    Field {
        table: "bookings",
        column: "invitee_sealed",
        row_id: booking_id,
    }
}

/// The sealed JSON value: short keys, as it is stored once per booking.
#[derive(Serialize, Deserialize)]
pub(super) struct InviteeJson {
    #[serde(rename = "n")]
    pub name: String,
    #[serde(rename = "e")]
    pub email: String,
    #[serde(rename = "z")]
    pub time_zone: String,
    #[serde(rename = "t", default)]
    pub note: String,
    #[serde(rename = "a", default = "empty_answers")]
    pub answers: String,
}

fn empty_answers() -> String {
    BLANK_ANSWERS.to_owned()
}

impl InviteeJson {
    /// The invitee from its opened JSON, accepted or refused exactly as the derived
    /// `Deserialize` does, but read by a described shape (`providers::calendar::shape`)
    /// instead of compiling that deserializer into the Worker (BENCHMARKS.md, *Size*).
    fn read(json: &str) -> Result<Self, serde_json::Error> {
        use crate::providers::calendar::shape::{read, Field, Shape};
        static INVITEE: Shape = Shape::Record(&[
            Field::new("n", Shape::Text),
            Field::new("e", Shape::Text),
            Field::new("z", Shape::Text),
            Field::or_empty("t", Shape::Text),
            Field::or_empty("a", Shape::Text),
        ]);
        let mut invitee = read(json.as_bytes(), &INVITEE)?;
        let mut text = |name| invitee.take(name).into_text();
        Ok(Self {
            name: text("n").unwrap_or_default(),
            email: text("e").unwrap_or_default(),
            time_zone: text("z").unwrap_or_default(),
            note: text("t").unwrap_or_default(),
            answers: text("a").unwrap_or_else(empty_answers),
        })
    }
}

/// The invitee of a booking about to be written.
pub struct InviteeToSeal<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub time_zone: &'a str,
    pub note: &'a str,
    /// As stored (`core::questions`), a JSON array.
    pub answers: &'a str,
}

/// An invitee as D1 keeps it: the sealed value and the address's blind index.
pub struct SealedInvitee {
    pub sealed: String,
    pub email_index: String,
}

/// The invitee columns of a row read back, for [`Store::open_invitee`] to fill in.
pub(super) struct InviteeColumns<'a> {
    pub host_id: &'a str,
    pub booking_id: &'a str,
    pub sealed: &'a mut Option<String>,
    pub name: &'a mut String,
    pub email: &'a mut String,
    pub time_zone: Option<&'a mut String>,
    pub note: Option<&'a mut String>,
    pub answers: Option<&'a mut String>,
    /// The host's address, where the row carries it (`sealed_host_email.rs`).
    pub host_email: Option<&'a mut String>,
    /// The meeting link, where the row carries it (`sealed_meeting.rs`).
    pub meeting_url: Option<&'a mut Option<String>>,
}

/// A row that carries a booking's invitee (a details row, a calendar job).
pub(super) trait CarriesInvitee {
    fn invitee_columns(&mut self) -> InviteeColumns<'_>;
}

impl Store {
    /// Seals `invitee` for booking `booking_id` of `host_id`.
    pub(super) async fn seal_invitee(
        &self,
        host_id: &str,
        booking_id: &str,
        invitee: &InviteeToSeal<'_>,
    ) -> Result<SealedInvitee, StoreError> {
        let json = serde_json::to_string(&InviteeJson {
            name: invitee.name.to_owned(),
            email: invitee.email.to_owned(),
            time_zone: invitee.time_zone.to_owned(),
            note: invitee.note.to_owned(),
            answers: invitee.answers.to_owned(),
        })
        .map_err(|e| super::failed("seal_invitee", e))?;
        Ok(SealedInvitee {
            sealed: self
                .seal_field(host_id, invitee_field(booking_id), &json)
                .await?,
            email_index: self.email_index(invitee.email)?,
        })
    }

    /// Fills in the invitee of `row` from its sealed value (a row without one, written before
    /// sealing or erased since, is left as it is).
    pub(super) async fn open_invitee<T: CarriesInvitee>(
        &self,
        row: &mut T,
    ) -> Result<(), StoreError> {
        let columns = row.invitee_columns();
        if let Some(host_email) = columns.host_email {
            self.open_host_email_in(columns.host_id, host_email).await?;
        }
        if let Some(meeting_url) = columns.meeting_url {
            self.open_meeting_value(
                columns.host_id,
                super::sealed_meeting::MeetingColumn::MeetingUrl,
                meeting_url,
            )
            .await?;
        }
        let Some(sealed) = columns.sealed.take() else {
            return Ok(());
        };
        let invitee = self
            .open_sealed_invitee(columns.host_id, columns.booking_id, &sealed)
            .await?;
        *columns.name = invitee.name;
        *columns.email = invitee.email;
        if let Some(time_zone) = columns.time_zone {
            *time_zone = invitee.time_zone;
        }
        if let Some(note) = columns.note {
            *note = invitee.note;
        }
        if let Some(answers) = columns.answers {
            *answers = invitee.answers;
        }
        Ok(())
    }

    /// The invitee `sealed` holds for booking `booking_id` of `host_id`.
    pub(super) async fn open_sealed_invitee(
        &self,
        host_id: &str,
        booking_id: &str,
        sealed: &str,
    ) -> Result<InviteeJson, StoreError> {
        let json = self
            .open_field(host_id, invitee_field(booking_id), sealed)
            .await?;
        InviteeJson::read(&json).map_err(|e| super::failed("open_invitee", e))
    }

    /// [`Self::open_invitee`] for an optional row.
    pub(super) async fn opened<T: CarriesInvitee>(
        &self,
        row: Option<T>,
    ) -> Result<Option<T>, StoreError> {
        match row {
            Some(mut row) => {
                self.open_invitee(&mut row).await?;
                Ok(Some(row))
            }
            None => Ok(None),
        }
    }

    /// [`Self::open_invitee`] for every row.
    pub(super) async fn all_opened<T: CarriesInvitee>(
        &self,
        mut rows: Vec<T>,
    ) -> Result<Vec<T>, StoreError> {
        for row in &mut rows {
            self.open_invitee(row).await?;
        }
        Ok(rows)
    }

    /// Seals the invitees of up to `limit` bookings written before sealing existed (plaintext
    /// in their columns) of at most `max_hosts` hosts, with one D1 batch of conditional UPDATEs
    /// that also blank the plaintext, so a booking erased or changed meanwhile is left alone.
    /// Returns how many it sealed; the scheduled run calls it every hour until none are left.
    /// One batch is one subrequest: the free plan allows 50 D1 queries per invocation.
    pub async fn seal_plaintext_invitees(
        &self,
        limit: i64,
        max_hosts: usize,
    ) -> Result<usize, StoreError> {
        let rows = self
            .all_columns(
                "plaintext_invitees",
                "SELECT json_array(id, host_id, invitee_name, invitee_email, invitee_time_zone, \
                 note, answers) AS value FROM bookings WHERE invitee_sealed IS NULL \
                 AND (invitee_name != '' OR invitee_email != '' OR note != '' \
                      OR invitee_time_zone != 'UTC' OR answers != '[]') \
                 ORDER BY host_id, id LIMIT ?1",
                &[Param::Int(limit)],
            )
            .await?
            .into_iter()
            .map(|mut row| {
                Ok(PlaintextInviteeRow {
                    id: row.text()?,
                    host_id: row.text()?,
                    invitee_name: row.text()?,
                    invitee_email: row.text()?,
                    invitee_time_zone: row.text()?,
                    note: row.text()?,
                    answers: row.text()?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let rows = of_first_hosts(rows, max_hosts, |row| &row.host_id);
        let mut sealed = Vec::with_capacity(rows.len());
        for row in &rows {
            sealed.push(
                self.seal_invitee(
                    &row.host_id,
                    &row.id,
                    &InviteeToSeal {
                        name: &row.invitee_name,
                        email: &row.invitee_email,
                        time_zone: &row.invitee_time_zone,
                        note: &row.note,
                        answers: &row.answers,
                    },
                )
                .await?,
            );
        }
        let params: Vec<[Param<'_>; 12]> = rows
            .iter()
            .zip(&sealed)
            .map(|(row, sealed)| {
                [
                    Param::Text(&row.id),
                    Param::Text(&sealed.sealed),
                    (!row.invitee_email.is_empty())
                        .then_some(sealed.email_index.as_str())
                        .into(),
                    Param::Text(BLANK_NAME),
                    Param::Text(BLANK_EMAIL),
                    Param::Text(BLANK_TIME_ZONE),
                    Param::Text(BLANK_NOTE),
                    Param::Text(BLANK_ANSWERS),
                    Param::Text(&row.invitee_name),
                    Param::Text(&row.invitee_email),
                    Param::Text(&row.note),
                    Param::Text(&row.answers),
                ]
            })
            .collect();
        let changed = self
            .batch_each(
                "seal_plaintext_invitees",
                "UPDATE bookings SET invitee_sealed = ?2, invitee_email_index = ?3, \
                 invitee_name = ?4, invitee_email = ?5, invitee_time_zone = ?6, note = ?7, \
                 answers = ?8 WHERE id = ?1 AND invitee_sealed IS NULL AND invitee_name = ?9 \
                 AND invitee_email = ?10 AND note = ?11 AND answers = ?12",
                &params,
            )
            .await?;
        Ok(changed.iter().filter(|&&n| n == 1).count())
    }
}

/// The rows (sorted by host) of the first `max_hosts` hosts: a scheduled run opens or makes at
/// most that many hosts' keys (a D1 read and a KV read or write each).
pub(super) fn of_first_hosts<T>(
    rows: Vec<T>,
    max_hosts: usize,
    host_of: impl Fn(&T) -> &String,
) -> Vec<T> {
    let mut hosts: Vec<String> = Vec::new();
    rows.into_iter()
        .take_while(|row| {
            let host = host_of(row);
            if hosts.last() != Some(host) {
                hosts.push(host.clone());
            }
            hosts.len() <= max_hosts
        })
        .collect()
}

/// A booking whose invitee is still plaintext.
struct PlaintextInviteeRow {
    id: String,
    host_id: String,
    invitee_name: String,
    invitee_email: String,
    invitee_time_zone: String,
    note: String,
    answers: String,
}

/// Implements [`CarriesInvitee`] for a row struct with the named columns.
macro_rules! carries_invitee {
    ($row:ty, id: $id:ident, $($optional:ident),*) => {
        impl CarriesInvitee for $row {
            fn invitee_columns(&mut self) -> InviteeColumns<'_> {
                #[allow(unused_mut)]
                let mut columns = InviteeColumns {
                    host_id: &self.host_id,
                    booking_id: &self.$id,
                    sealed: &mut self.invitee_sealed,
                    name: &mut self.invitee_name,
                    email: &mut self.invitee_email,
                    time_zone: None,
                    note: None,
                    answers: None,
                    host_email: None,
                    meeting_url: None,
                };
                $(carries_invitee!(@set columns, self, $optional);)*
                columns
            }
        }
    };
    (@set $columns:ident, $self:ident, invitee_time_zone) => {
        $columns.time_zone = Some(&mut $self.invitee_time_zone);
    };
    (@set $columns:ident, $self:ident, note) => {
        $columns.note = Some(&mut $self.note);
    };
    (@set $columns:ident, $self:ident, answers) => {
        $columns.answers = Some(&mut $self.answers);
    };
    (@set $columns:ident, $self:ident, host_email) => {
        $columns.host_email = Some(&mut $self.host_email);
    };
    (@set $columns:ident, $self:ident, meeting_url) => {
        $columns.meeting_url = Some(&mut $self.meeting_url);
    };
}

carries_invitee!(
    super::bookings::BookingDetailsRow,
    id: id,
    invitee_time_zone,
    note,
    answers,
    host_email,
    meeting_url
);
carries_invitee!(super::booking_calendar::CalendarWorkRow, id: booking_id, host_email);
