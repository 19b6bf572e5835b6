//! Keyset paging of a host's bookings: a page ends at a booking, and the next page starts
//! after that booking's (start, id). Unlike an offset, such a cursor neither skips nor repeats
//! a booking when others are made or cancelled between two pages.

use std::fmt;
use std::str::FromStr;

/// The last booking of a page, written `{start}_{id}` (opaque to API clients).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingCursor {
    /// The booking's start, Unix seconds.
    pub start_at: i64,
    /// The booking's id, which orders bookings that start together.
    pub id: String,
}

/// A cursor that no page of ours handed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this is not a cursor from a previous page; use its next_cursor as it is")]
pub struct NotACursor;

impl FromStr for BookingCursor {
    type Err = NotACursor;

    fn from_str(text: &str) -> Result<Self, NotACursor> {
        let (start, id) = text.split_once('_').ok_or(NotACursor)?;
        let id_ok = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !id_ok {
            return Err(NotACursor);
        }
        Ok(Self {
            start_at: start.parse().map_err(|_| NotACursor)?,
            id: id.to_owned(),
        })
    }
}

impl fmt::Display for BookingCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.start_at, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote() {
        let cursor = BookingCursor {
            start_at: 1_767_225_600,
            id: "ab12cd".into(),
        };
        assert_eq!(cursor.to_string(), "1767225600_ab12cd");
        assert_eq!(cursor.to_string().parse(), Ok(cursor));
        assert_eq!(
            "-5_x".parse(),
            Ok(BookingCursor {
                start_at: -5,
                id: "x".into()
            })
        );
    }

    #[test]
    fn a_cursor_not_ours_is_refused() {
        let long = format!("1_{}", "a".repeat(65));
        for bad in [
            "", "_", "12_", "x_ab", "12", "12_a b", "12_a'--", "1_a_b", &long,
        ] {
            assert_eq!(bad.parse::<BookingCursor>(), Err(NotACursor), "{bad:?}");
        }
    }
}
