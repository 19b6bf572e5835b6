//! Rows read as one JSON array SQLite builds (`SELECT json_array(a, b, …) AS value`), taken
//! apart column by column. Each type D1 rows are read into is compiled into its own copy of
//! the row reader and of a derived deserializer (2–5 KB of wasm each); rows read this way
//! share [`TextValue`]'s and `serde_json::Value`'s, which the Worker has anyway
//! (BENCHMARKS.md, *Size*).

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{failed, Param, Store, StoreError, TextValue};

/// One row's columns, in the order its SQL's `json_array(...)` lists them; each read takes the
/// next. A column of another type than asked fails the query, as a derived deserializer did.
pub(super) struct Columns {
    query: &'static str,
    values: std::vec::IntoIter<Value>,
    /// The first column [`Self::take_or`] could not read, for [`Self::finish`].
    error: Option<StoreError>,
}

impl Columns {
    /// The row's columns from its `json_array(...)` text.
    fn parse(query: &'static str, row: &TextValue) -> Result<Self, StoreError> {
        match serde_json::from_slice::<Value>(row.value.as_bytes()) {
            Ok(Value::Array(values)) => Ok(Self {
                query,
                values: values.into_iter(),
                error: None,
            }),
            Ok(_) => Err(failed(query, "a row is not a JSON array")),
            Err(e) => Err(failed(query, e)),
        }
    }

    /// The next column, which may be NULL.
    fn next(&mut self) -> Value {
        self.values.next().unwrap_or(Value::Null)
    }

    fn wrong(&self, expected: &str) -> StoreError {
        failed(self.query, format_args!("a column is not {expected}"))
    }

    /// The next column, text that may be NULL.
    pub(super) fn optional_text(&mut self) -> Result<Option<String>, StoreError> {
        match self.next() {
            Value::String(text) => Ok(Some(text)),
            Value::Null => Ok(None),
            _ => Err(self.wrong("text")),
        }
    }

    /// The next column, text.
    pub(super) fn text(&mut self) -> Result<String, StoreError> {
        self.optional_text()?.ok_or_else(|| self.wrong("text"))
    }

    /// The next column, an integer that may be NULL.
    pub(super) fn optional_number(&mut self) -> Result<Option<i64>, StoreError> {
        match self.next() {
            // A bound parameter SQLite kept as REAL (D1 binds numbers as doubles) reads as `60.0`;
            // D1 handed it over as the number 60, which a derived deserializer took.
            Value::Number(number) => number
                .as_i64()
                .or_else(|| {
                    number
                        .as_f64()
                        .filter(|n| n.fract() == 0.0)
                        .map(|n| n as i64)
                })
                .map(Some)
                .ok_or_else(|| self.wrong("an integer")),
            Value::Null => Ok(None),
            _ => Err(self.wrong("an integer")),
        }
    }

    /// The next column, an integer.
    pub(super) fn number(&mut self) -> Result<i64, StoreError> {
        self.optional_number()?
            .ok_or_else(|| self.wrong("an integer"))
    }

    /// The next column as `read` takes it; if it cannot, `fallback` stands in and the failure is
    /// kept for [`Self::finish`]. A long row read this way has no early return (and drop of
    /// the columns read so far) per column, which costs the Worker's size budget.
    pub(super) fn take_or<T>(
        &mut self,
        read: fn(&mut Self) -> Result<T, StoreError>,
        fallback: T,
    ) -> T {
        match read(self) {
            Ok(value) => value,
            Err(e) => {
                self.error.get_or_insert(e);
                fallback
            }
        }
    }

    /// [`Self::take_or`] with the type's default standing in.
    pub(super) fn take<T: Default>(&mut self, read: fn(&mut Self) -> Result<T, StoreError>) -> T {
        self.take_or(read, T::default())
    }

    /// `row`, read with [`Self::take`], unless a column could not be read: then the first
    /// failure, as reading column by column with `?` would have returned.
    pub(super) fn finish<T>(self, row: T) -> Result<T, StoreError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(row),
        }
    }

    /// The next column read as `T` by its own `Deserialize` (a stored name read as its enum,
    /// NULL as `None` for an `Option`), failing the query as a derived row type did.
    pub(super) fn parsed<T: DeserializeOwned>(&mut self) -> Result<T, StoreError> {
        let value = self.next();
        T::deserialize(value).map_err(|e| failed(self.query, e))
    }
}

/// Reads a row type through serde from one `json_array(...) AS value` column, for rows another
/// module's batch reads with `rows::<T>`: the type's `Deserialize` takes the row's one text
/// column ([`TextValue`]'s, which the Worker has anyway) and `read` takes it apart, instead of
/// a derived deserializer of its own. A column `read` refuses fails the row.
pub(super) fn deserialize_row<'de, D, T>(
    deserializer: D,
    query: &'static str,
    read: fn(Columns) -> Result<T, StoreError>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::Error;
    let row = <TextValue as serde::Deserialize>::deserialize(deserializer)?;
    Columns::parse(query, &row)
        .and_then(read)
        .map_err(D::Error::custom)
}

/// Reads `rows`, each one `json_array(...) AS value`, into their columns.
pub(super) fn rows_of(query: &'static str, rows: &[TextValue]) -> Result<Vec<Columns>, StoreError> {
    rows.iter().map(|row| Columns::parse(query, row)).collect()
}

impl Store {
    /// The rows `sql` selects, each one `json_array(...) AS value`, read into their columns.
    pub(super) async fn all_columns(
        &self,
        query: &'static str,
        sql: &'static str,
        params: &[Param<'_>],
    ) -> Result<Vec<Columns>, StoreError> {
        let rows: Vec<TextValue> = self.all(query, sql, params).await?;
        rows_of(query, &rows)
    }
}
