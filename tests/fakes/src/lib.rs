//! Local fakes of the outside services (being built).
