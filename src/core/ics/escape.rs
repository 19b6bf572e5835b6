//! Turning caller text into the three kinds of iCalendar value we write.
//!
//! Invariant: nothing these functions return contains CR, LF or any other control character
//! except HTAB inside TEXT, so a value can never end its content line early; and a parameter
//! value never contains an unquoted `:`, `;` or `,` nor any DQUOTE of its own, so it can never
//! end its parameter early. Only the fixed property names written by the caller of this module
//! start content lines.

/// A TEXT value (RFC 5545 §3.3.11): `\` `;` `,` escaped with a backslash, a line break written
/// as the two characters `\n`, CR dropped (so CRLF and LF both become one `\n`), and every other
/// control character but HTAB dropped, since TSAFE-CHAR admits none of them.
pub(super) fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value such as `CN` (RFC 5545 §3.2), DQUOTE-quoted when it holds `:`, `;` or
/// `,` (§3.2: "Property parameter values that contain the COLON, SEMICOLON, or COMMA character
/// separators MUST be specified as quoted-string text values").
///
/// Neither paramtext nor quoted-string may hold DQUOTE or a control character, and §3.2 has no
/// escape for them ("Property parameter values MUST NOT contain the DQUOTE character"), so a
/// DQUOTE becomes an apostrophe (`Robert "Bob" Smith` still reads right) and control characters
/// are removed. RFC 6868's `^'` encoding is not used: readers that predate it would show it raw.
pub(super) fn param(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

/// The address in a `mailto:` CAL-ADDRESS, cut down to the characters an unquoted addr-spec
/// may hold: RFC 5322 §3.2.3 atext, `.` and `@`, plus RFC 6532's non-ASCII characters.
///
/// Callers pass an already-parsed email; this is a second fence, so an address can never carry
/// a line break, a space or a `;`/`:`/`,` into the line, whatever the parser let through.
pub(super) fn email(value: &str) -> String {
    value
        .chars()
        .filter(|&c| {
            c.is_ascii_alphanumeric()
                || "!#$%&'*+-/=?^_`{|}~.@".contains(c)
                || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
        })
        .collect()
}

/// A URI value (RFC 5545 §3.3.13), which is not TEXT and so is not backslash-escaped: only
/// control characters and white space are removed, which no URI contains (RFC 3986 §2) and
/// which are the only characters that could end the content line.
pub(super) fn uri(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_backslash_semicolon_and_comma() {
        assert_eq!(text(r"a\b;c,d:e"), r"a\\b\;c\,d:e");
    }

    #[test]
    fn text_writes_line_breaks_as_backslash_n_and_drops_carriage_returns() {
        assert_eq!(text("one\r\ntwo\nthree\rfour"), r"one\ntwo\nthreefour");
    }

    #[test]
    fn text_keeps_tabs_and_unicode_but_drops_other_control_characters() {
        assert_eq!(
            text("a\tb\u{0}\u{7}\u{1b}\u{7f}\u{85}c Zoë 李雷"),
            "a\tbc Zoë 李雷"
        );
    }

    #[test]
    fn a_plain_name_is_written_bare() {
        assert_eq!(param("Zoë Lee"), "Zoë Lee");
    }

    #[test]
    fn a_name_with_a_colon_semicolon_or_comma_is_quoted() {
        assert_eq!(param("Lee, Zoë"), "\"Lee, Zoë\"");
        assert_eq!(param("a;b"), "\"a;b\"");
        assert_eq!(param("Dr: Who"), "\"Dr: Who\"");
    }

    #[test]
    fn double_quotes_in_a_name_become_apostrophes() {
        assert_eq!(param("Robert \"Bob\" Smith"), "Robert 'Bob' Smith");
        assert_eq!(param("\"x\";ROLE=CHAIR:"), "\"'x';ROLE=CHAIR:\"");
    }

    #[test]
    fn control_characters_are_removed_from_names() {
        assert_eq!(param("Eve\r\nBEGIN\tX\u{0}"), "EveBEGINX");
    }

    #[test]
    fn emails_keep_only_addr_spec_characters() {
        assert_eq!(
            email("first.o'neil+tag@example.com"),
            "first.o'neil+tag@example.com"
        );
        assert_eq!(email("zoë@bücher.de"), "zoë@bücher.de");
        assert_eq!(
            email("a@x.com\r\nATTENDEE:mailto:evil@x"),
            "a@x.comATTENDEEmailtoevil@x"
        );
        assert_eq!(email("\"a b\"@x.com;rsvp,1"), "ab@x.comrsvp1");
    }

    #[test]
    fn uris_lose_control_characters_and_white_space_only() {
        assert_eq!(
            uri("https://x.test/a?b=1;c=2,3\r\n X"),
            "https://x.test/a?b=1;c=2,3X"
        );
    }
}
