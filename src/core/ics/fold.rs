//! Content-line folding (RFC 5545 §3.1).
//!
//! Invariant: every physical line this module writes is at most [`MAX_OCTETS`] octets before
//! its CRLF, a fold is always CRLF followed by exactly one SPACE, and no fold falls inside a
//! UTF-8 character, so removing every "CRLF SPACE" gives back the logical line byte for byte.

/// RFC 5545 §3.1: "Lines of text SHOULD NOT be longer than 75 octets, excluding the line
/// break." Octets, not characters: "Zoë" is four octets.
pub(super) const MAX_OCTETS: usize = 75;

/// Appends one logical content line to `out`, folded, and ends it with CRLF.
///
/// The logical line must not contain CR or LF itself; the escaping layer guarantees that.
pub(super) fn push_folded(out: &mut String, line: &str) {
    debug_assert!(
        !line.contains(['\r', '\n']),
        "unescaped line break in {line:?}"
    );
    let mut rest = line;
    // The first physical line has all 75 octets; each continuation spends one on its
    // leading SPACE (§3.1: "a CRLF immediately followed by a single linear white-space
    // character").
    let mut room = MAX_OCTETS;
    while rest.len() > room {
        // §3.1 allows splitting inside a multi-octet character, but then every reader must
        // unfold bytes rather than text; backing off to a character boundary spares them.
        // A UTF-8 character is at most 4 octets, so `cut` never reaches 0.
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = MAX_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn folded(line: &str) -> String {
        let mut out = String::new();
        push_folded(&mut out, line);
        out
    }

    fn unfold(folded: &str) -> String {
        folded
            .strip_suffix("\r\n")
            .expect("ends with CRLF")
            .replace("\r\n ", "")
    }

    fn physical_lines(folded: &str) -> Vec<&str> {
        folded.strip_suffix("\r\n").unwrap().split("\r\n").collect()
    }

    #[test]
    fn a_line_of_exactly_75_octets_is_left_whole() {
        let line = "X".repeat(75);
        assert_eq!(folded(&line), format!("{line}\r\n"));
    }

    #[test]
    fn a_line_of_76_octets_folds_once_with_crlf_and_one_space() {
        let line = "X".repeat(76);
        assert_eq!(folded(&line), format!("{}\r\n X\r\n", "X".repeat(75)));
    }

    #[test]
    fn continuation_lines_hold_74_octets_after_their_space() {
        let line = "X".repeat(75 + 74 + 1);
        let lines = physical_lines(&folded(&line))
            .into_iter()
            .map(str::len)
            .collect::<Vec<_>>();
        assert_eq!(lines, [75, 75, 2]);
    }

    #[test]
    fn folding_never_splits_a_multi_byte_character() {
        let line = format!("ATTENDEE;CN={}", "Zoë 李雷 ".repeat(20));
        let out = folded(&line);
        for physical in physical_lines(&out) {
            assert!(
                physical.len() <= MAX_OCTETS,
                "{} octets: {physical:?}",
                physical.len()
            );
            // Each physical line is valid UTF-8 on its own: no character was cut.
            assert!(std::str::from_utf8(physical.as_bytes()).is_ok());
        }
        assert!(physical_lines(&out).len() > 2);
        assert_eq!(unfold(&out), line);
    }

    proptest! {
        #[test]
        fn any_line_folds_within_75_octets_and_unfolds_to_itself(line in "[^\r\n]{0,400}") {
            let out = folded(&line);
            for physical in physical_lines(&out) {
                prop_assert!(physical.len() <= MAX_OCTETS);
            }
            prop_assert_eq!(unfold(&out), line);
        }
    }
}
