//! The host's own paragraph in an invitee's confirmation email (what to prepare, how to find
//! the door), per event type and per language. An invitee reads the one in the language they
//! booked in; where the host wrote it in one language only, every invitee reads it as written.
//! It is stored as a JSON object of language code to text (`event_types.confirmation_message`)
//! and always rendered escaped.

use crate::i18n::Lang;

/// The longest paragraph, in characters: an email paragraph, not a document.
pub const MAX_CHARS: usize = 1000;

/// The host's paragraph in each language they wrote it in.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct HostMessage {
    texts: Vec<(Lang, String)>,
}

impl HostMessage {
    /// The paragraphs as a host typed them (an empty one is none); the error names the
    /// language whose text is too long.
    pub fn parse(typed: &[(Lang, &str)]) -> Result<Self, (Lang, String)> {
        let mut texts = Vec::new();
        for (lang, text) in typed {
            let text = text.trim();
            if text.chars().count() > MAX_CHARS {
                return Err((*lang, format!("Keep it to {MAX_CHARS} characters.")));
            }
            if !text.is_empty() {
                texts.push((*lang, text.replace("\r\n", "\n")));
            }
        }
        Ok(Self { texts })
    }

    /// What an invitee who booked in `lang` reads: their language's text, or else one the
    /// host wrote (with one language written, that one); empty when there is none.
    pub fn for_reader(&self, lang: Lang) -> &str {
        self.texts
            .iter()
            .find(|(l, _)| *l == lang)
            .or_else(|| self.texts.first())
            .map_or("", |(_, text)| text)
    }

    /// Exactly the text written in `lang` (the form's field), empty when none.
    pub fn written_in(&self, lang: Lang) -> &str {
        self.texts
            .iter()
            .find(|(l, _)| *l == lang)
            .map_or("", |(_, text)| text)
    }

    /// A JSON object of language code to text: the API's field.
    pub fn to_value(&self) -> serde_json::Value {
        let object: serde_json::Map<String, serde_json::Value> = self
            .texts
            .iter()
            .map(|(lang, text)| (lang.code().to_owned(), text.clone().into()))
            .collect();
        serde_json::Value::Object(object)
    }

    /// The stored form: [`Self::to_value`] as text.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }
}

impl TryFrom<String> for HostMessage {
    type Error = String;

    /// Reads the stored form back; a language the code no longer ships is dropped.
    fn try_from(stored: String) -> Result<Self, Self::Error> {
        // Read as a `Value`, as the export reads stored JSON: one JSON reader in the Worker.
        let value: serde_json::Value =
            serde_json::from_slice(stored.as_bytes()).map_err(|e| format!("confirmation message: {e}"))?;
        let serde_json::Value::Object(object) = value else {
            return Err("confirmation message: not an object".into());
        };
        let texts = object
            .into_iter()
            .filter_map(|(code, text)| Some((Lang::from_code(&code)?, text.as_str()?.to_owned())))
            .filter(|(_, text)| !text.is_empty())
            .collect();
        Ok(Self { texts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_gets_their_language_or_else_the_text_as_written() {
        let both = HostMessage::parse(&[(Lang::En, " Bring a pen. "), (Lang::De, "Stift mitbringen.")])
            .unwrap();
        assert_eq!(both.for_reader(Lang::De), "Stift mitbringen.");
        assert_eq!(both.for_reader(Lang::En), "Bring a pen.");
        let german = HostMessage::parse(&[(Lang::En, " "), (Lang::De, "Nur Deutsch.")]).unwrap();
        assert_eq!(german.for_reader(Lang::En), "Nur Deutsch.");
        assert_eq!(german.written_in(Lang::En), "");
        assert_eq!(HostMessage::default().for_reader(Lang::En), "");
    }

    #[test]
    fn the_stored_form_reads_back_and_a_long_text_is_refused_under_its_language() {
        let message = HostMessage::parse(&[(Lang::En, "Line one\r\n\"two\""), (Lang::De, "Zwei")])
            .unwrap();
        let back = HostMessage::try_from(message.to_json()).unwrap();
        assert_eq!(back.written_in(Lang::En), "Line one\n\"two\"");
        assert_eq!(back.written_in(Lang::De), "Zwei");
        assert_eq!(HostMessage::try_from("{}".to_owned()).unwrap(), HostMessage::default());
        assert!(HostMessage::try_from("[1]".to_owned()).is_err());
        let long = "x".repeat(MAX_CHARS + 1);
        assert_eq!(HostMessage::parse(&[(Lang::De, &long)]).unwrap_err().0, Lang::De);
    }
}
