//! The slot engine (being built; see issue 3).
