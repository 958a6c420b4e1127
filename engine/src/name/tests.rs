//! Unit tests for the rules of reference §2 (examples marked [verified] there, or checked against
//! `systemd-escape` 252 on this machine).
