//! Phone numbers as answers: parsed into E.164 form (`+` and at most 15 digits, ITU-T E.164 §6),
//! with a country calling code in use and a national number of a length that country's plan
//! allows.
//!
//! Why not the whole of libphonenumber: its maintained Rust ports carry every region's metadata
//! and patterns (`rlibphonenumber` with `lite`: 141 KB gzipped as wasm; `phonenumber`: 529 KB),
//! more than the Worker's 1 MB budget has room for. This module keeps only what an E.164 check
//! needs, a table of calling codes and possible national lengths, and that table is *derived
//! from* `rlibphonenumber`: the tests rebuild it from the crate and fail when they differ, and
//! check on random numbers that nothing accepted here is a number libphonenumber calls
//! impossible, and that every region's example number is accepted.

/// Country calling codes in use, each with the national-number lengths its plan allows as a
/// bit set (bit `n` set: `n` digits after the calling code are possible). Derived from
/// libphonenumber's metadata; see the module doc and `tests::table_matches_libphonenumber`.
pub(crate) const CALLING_CODES: [(u16, u16); 215] = [
    (1, 0x0480), (7, 0x4480), (20, 0x07c0), (27, 0x07e0), (30, 0x1c00), (31, 0x0fe0),
    (32, 0x0300), (33, 0x0200), (34, 0x0200), (36, 0x03c0), (39, 0x1fc0), (40, 0x0240),
    (41, 0x1200), (43, 0x3ff8), (44, 0x07f0), (45, 0x0100), (46, 0x17c0), (47, 0x0120),
    (48, 0x07c0), (49, 0xfffc), (51, 0x03c0), (52, 0x0580), (53, 0x05f0), (54, 0x0dc0),
    (55, 0x0f00), (56, 0x0e00), (57, 0x0d90), (58, 0x0480), (60, 0x07c0), (61, 0x17e0),
    (62, 0xffe0), (63, 0x3ff0), (64, 0x07e0), (65, 0x0d00), (66, 0x2700), (81, 0xff00),
    (82, 0x7ff8), (84, 0x0780), (86, 0x1fe0), (90, 0x3480), (91, 0x3fc0), (92, 0x1fe0),
    (93, 0x0280), (94, 0x0280), (95, 0x07e0), (98, 0x05f0), (211, 0x0200), (212, 0x0200),
    (213, 0x0300), (216, 0x0100), (218, 0x0280), (220, 0x0080), (221, 0x0200), (222, 0x0100),
    (223, 0x0100), (224, 0x0300), (225, 0x0400), (226, 0x0100), (227, 0x0100), (228, 0x0100),
    (229, 0x0500), (230, 0x0580), (231, 0x0380), (232, 0x0140), (233, 0x0380), (234, 0x7cc0),
    (235, 0x0100), (236, 0x0100), (237, 0x0300), (238, 0x0080), (239, 0x0080), (240, 0x0200),
    (241, 0x0180), (242, 0x0200), (243, 0x0780), (244, 0x0200), (245, 0x0280), (246, 0x0080),
    (247, 0x0060), (248, 0x0080), (249, 0x0200), (250, 0x0300), (251, 0x0280), (252, 0x03c0),
    (253, 0x0100), (254, 0x0780), (255, 0x0200), (256, 0x02e0), (257, 0x0100), (258, 0x0300),
    (260, 0x0240), (261, 0x0280), (262, 0x0200), (263, 0x07f8), (264, 0x0300), (265, 0x0280),
    (266, 0x0100), (267, 0x0580), (268, 0x0300), (269, 0x0090), (290, 0x0030), (291, 0x00c0),
    (297, 0x0080), (298, 0x0040), (299, 0x0040), (350, 0x0100), (351, 0x0200), (352, 0x0ff0),
    (353, 0x07e0), (354, 0x0280), (355, 0x03e0), (356, 0x0100), (357, 0x0100), (358, 0x1fe0),
    (359, 0x13f0), (370, 0x0100), (371, 0x0100), (372, 0x0580), (373, 0x0100), (374, 0x0160),
    (375, 0x0fe0), (376, 0x0340), (377, 0x0300), (378, 0x0540), (380, 0x06e0), (381, 0x1ff0),
    (382, 0x0340), (383, 0x1f00), (385, 0x03c0), (386, 0x01e0), (387, 0x0340), (389, 0x01c0),
    (420, 0x1e00), (421, 0x02c0), (423, 0x0280), (500, 0x0020), (501, 0x0880), (502, 0x0900),
    (503, 0x0980), (504, 0x0900), (505, 0x0100), (506, 0x0500), (507, 0x0d80), (508, 0x0240),
    (509, 0x0100), (590, 0x0200), (591, 0x0380), (592, 0x0080), (593, 0x0f80), (594, 0x0200),
    (595, 0x0fe0), (596, 0x0200), (597, 0x00c0), (598, 0x3ff0), (599, 0x0180), (670, 0x0180),
    (672, 0x0060), (673, 0x0080), (674, 0x0080), (675, 0x0180), (676, 0x00a0), (677, 0x00a0),
    (678, 0x00a0), (679, 0x0880), (680, 0x0080), (681, 0x0240), (682, 0x0020), (683, 0x0090),
    (685, 0x04e0), (686, 0x0120), (687, 0x0040), (688, 0x00e0), (689, 0x0340), (690, 0x00f0),
    (691, 0x0080), (692, 0x0080), (800, 0x0100), (808, 0x0100), (850, 0x05c0), (852, 0x0be0),
    (853, 0x0180), (855, 0x07c0), (856, 0x0740), (870, 0x1200), (878, 0x1000), (880, 0x07c0),
    (881, 0x0600), (882, 0x1f80), (883, 0x1f00), (886, 0x0f80), (888, 0x0800), (960, 0x0480),
    (961, 0x0180), (962, 0x0300), (963, 0x03c0), (964, 0x07c0), (965, 0x0180), (966, 0x0680),
    (967, 0x03c0), (968, 0x0380), (970, 0x0780), (971, 0x1fe0), (972, 0x1f80), (973, 0x0100),
    (974, 0x0b80), (975, 0x01c0), (976, 0x0770), (977, 0x0dc0), (979, 0x0300), (992, 0x02e8),
    (993, 0x0100), (994, 0x0280), (995, 0x02c0), (996, 0x0660), (998, 0x0200),
];

/// Longest number E.164 allows, calling code included (ITU-T E.164 §6.1).
const MAX_DIGITS: usize = 15;

/// A phone number in E.164 form, e.g. `+442079460958`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Reads a number written internationally: `+` (or `00`) and the calling code, then the
    /// national number; spaces, dots, hyphens, slashes and parentheses are layout and dropped.
    /// `None` when it is not a possible E.164 number.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let rest = raw
            .strip_prefix('+')
            .or_else(|| raw.strip_prefix("00"))?;
        let mut digits = String::with_capacity(MAX_DIGITS);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '/' | '(' | ')' | '\u{a0}' => {}
                _ => return None,
            }
        }
        // Calling codes never begin with 0 and are prefix-free, so at most one length matches.
        if digits.len() > MAX_DIGITS || digits.starts_with('0') {
            return None;
        }
        let possible = (1..=3).any(|code_len| {
            let Some((code, national)) = digits.split_at_checked(code_len) else {
                return false;
            };
            let Ok(code) = code.parse::<u16>() else {
                return false;
            };
            CALLING_CODES
                .iter()
                .find(|(c, _)| *c == code)
                .is_some_and(|(_, lengths)| lengths & (1 << national.len().min(15)) != 0)
        });
        possible.then(|| Self(format!("+{digits}")))
    }

    /// The number as `+` and digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rlibphonenumber::{PhoneNumberFormat, PHONE_NUMBER_UTIL as LIB};

    /// The lengths libphonenumber calls possible after `code`: probed with numbers of one
    /// repeated digit (its possible-length check is by length), joined with the lengths of its
    /// regions' example numbers (a few plans' prefix rules hide a length from the probe).
    fn derived_lengths(code: u16) -> u16 {
        let mut lengths = 0u16;
        for len in 1..=15usize {
            for digit in '1'..='9' {
                let number = format!("+{code}{}", digit.to_string().repeat(len));
                if let Ok(parsed) = LIB.parse(&number) {
                    if LIB.is_possible_number(&parsed)
                        && parsed.national_number().to_string().len() == len
                    {
                        lengths |= 1 << len;
                    }
                }
            }
        }
        for region in LIB
            .get_region_codes_for_country_code(i32::from(code))
            .into_iter()
            .flatten()
        {
            if let Ok(example) = LIB.get_example_number(region) {
                let e164 = example.format_as(PhoneNumberFormat::E164).to_string();
                lengths |= 1 << (e164.len() - 1 - code.to_string().len());
            }
        }
        lengths
    }

    #[test]
    fn table_matches_libphonenumber() {
        let mut codes: Vec<i32> = LIB.get_supported_calling_codes().collect();
        codes.sort_unstable();
        let ours: Vec<i32> = CALLING_CODES.iter().map(|(c, _)| i32::from(*c)).collect();
        assert_eq!(ours, codes, "calling codes differ from libphonenumber's");
        for (code, lengths) in CALLING_CODES {
            assert_eq!(
                lengths,
                derived_lengths(code),
                "possible lengths after +{code} differ from libphonenumber's"
            );
        }
    }

    #[test]
    fn every_regions_example_number_is_accepted() {
        for region in LIB.get_supported_regions() {
            let example = LIB.get_example_number(region).unwrap();
            let e164 = example.format_as(PhoneNumberFormat::E164).to_string();
            assert_eq!(
                PhoneNumber::parse(&e164).map(|p| p.0),
                Some(e164.clone()),
                "{region}"
            );
        }
    }

    #[test]
    fn nothing_accepted_is_impossible_for_libphonenumber() {
        let mut seed: u64 = 0x5eed;
        let mut next = move |below: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % below
        };
        let mut accepted = 0;
        for _ in 0..50_000 {
            let len = 1 + next(16) as usize;
            let digits: String = (0..len)
                .map(|_| char::from(b'0' + next(10) as u8))
                .collect();
            let number = format!("+{digits}");
            if PhoneNumber::parse(&number).is_some() {
                accepted += 1;
                let parsed = LIB.parse(&number).expect(&number);
                assert!(LIB.is_possible_number(&parsed), "{number}");
            }
        }
        assert!(accepted > 1_000, "the sample accepted only {accepted}");
    }

    #[test]
    fn layout_is_dropped_and_the_form_is_international() {
        let parsed = PhoneNumber::parse(" +44 (20) 7946-0958 ").unwrap();
        assert_eq!(parsed.as_str(), "+442079460958");
        assert_eq!(
            PhoneNumber::parse("0049 30 901820").unwrap().as_str(),
            "+4930901820"
        );
        for bad in [
            "020 7946 0958",
            "+44 20 7946 0958 ext. 2",
            "+999 1234567",
            "+1 555",
            "+49 1234567890123456",
            "",
            "+",
        ] {
            assert_eq!(PhoneNumber::parse(bad), None, "{bad}");
        }
    }
}
